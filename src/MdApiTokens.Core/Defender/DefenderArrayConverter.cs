using System;
using System.Collections.Generic;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace MdApiTokens.Core.Defender;

/// <summary>
/// Reads the small arrays of every incident (tags, comments, alerts, devices, entities) straight into arrays of their
/// exact length. The serializer's own array reading fills a new list first and copies it: about 5 MB of the 38 a
/// listing of 10,000 incidents allocated. Here one list per thread is reused. Elements are read by the element type's
/// own converter, so a null element stays null, as the serializer reads it.
/// </summary>
internal sealed class DefenderArrayConverter<T> : JsonConverter<T[]>
{
    [ThreadStatic]
    private static List<T>? s_items;

    private JsonConverter<T>? _item;

    public override T[] Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw new JsonException($"Expected an array, not {reader.TokenType}.");
        }

        var item = _item ??= (JsonConverter<T>)options.GetTypeInfo(typeof(T)).Converter;

        // Taken, not shared, while in use: an array of the same type nested inside would get its own list.
        var items = s_items ?? new List<T>();
        s_items = null;
        try
        {
            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                items.Add(item.Read(ref reader, typeof(T), options)!);
            }

            return items.Count == 0 ? Array.Empty<T>() : items.ToArray();
        }
        finally
        {
            items.Clear();
            s_items = items;
        }
    }

    public override void Write(Utf8JsonWriter writer, T[] value, JsonSerializerOptions options) =>
        throw new NotSupportedException("The Defender models are only read.");
}
