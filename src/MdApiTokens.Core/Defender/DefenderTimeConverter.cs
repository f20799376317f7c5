using System;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace MdApiTokens.Core.Defender;

/// <summary>
/// Reads the API's times: a time without an offset (the API sends some as <c>2026-01-10T12:00:00</c>) is UTC, never
/// the local time of the machine that happens to read it. A time with an offset keeps it.
/// </summary>
internal sealed class DefenderTimeConverter : JsonConverter<DateTimeOffset>
{
    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.String
            && DateTimeOffset.TryParse(reader.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time))
        {
            return time;
        }

        throw new JsonException($"Expected a date and time, not {reader.TokenType}.");
    }

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.ToString("O", CultureInfo.InvariantCulture));
}
