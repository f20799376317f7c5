using System;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace MdApiTokens.Core.Defender;

/// <summary>
/// Reads the API's enum-like strings (status, severity, classification, ...), which take a handful of values over
/// thousands of incidents: each value is made into a string once and then shared. The first values seen are kept
/// (at most <see cref="Capacity"/>); anything after that is read as usual.
/// </summary>
internal sealed class DefenderNameConverter : JsonConverter<string>
{
    private const int Capacity = 32;

    private readonly object _gate = new();
    private string[] _known = Array.Empty<string>();

    public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            throw new JsonException($"Expected a string, not {reader.TokenType}.");
        }

        var known = _known;
        foreach (var name in known)
        {
            if (reader.ValueTextEquals(name))
            {
                return name;
            }
        }

        var value = reader.GetString()!;
        if (known.Length < Capacity)
        {
            lock (_gate)
            {
                if (_known.Length < Capacity && Array.IndexOf(_known, value) < 0)
                {
                    var grown = new string[_known.Length + 1];
                    _known.CopyTo(grown, 0);
                    grown[grown.Length - 1] = value;
                    _known = grown;
                }
            }
        }

        return value;
    }

    public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => writer.WriteStringValue(value);
}
