using System;
using System.Text;
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
    private Known _known = new(Array.Empty<string>(), Array.Empty<byte[]>());

    public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            throw new JsonException($"Expected a string, not {reader.TokenType}.");
        }

        // Compared as the UTF-8 bytes they arrive in; an escaped or split value is made into a string first.
        var known = _known;
        if (!reader.ValueIsEscaped && !reader.HasValueSequence)
        {
            var value = reader.ValueSpan;
            for (var i = 0; i < known.Utf8.Length; i++)
            {
                if (value.SequenceEqual(known.Utf8[i]))
                {
                    return known.Names[i];
                }
            }
        }

        var text = reader.GetString()!;
        var index = Array.IndexOf(known.Names, text);
        if (index >= 0)
        {
            return known.Names[index];
        }

        if (known.Names.Length < Capacity)
        {
            lock (_gate)
            {
                if (_known.Names.Length < Capacity && Array.IndexOf(_known.Names, text) < 0)
                {
                    _known = _known.With(text);
                }
            }
        }

        return text;
    }

    public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => writer.WriteStringValue(value);

    // Replaced whole, never changed: a reader sees the names and their bytes in step without a lock.
    private sealed class Known
    {
        public Known(string[] names, byte[][] utf8)
        {
            Names = names;
            Utf8 = utf8;
        }

        public string[] Names { get; }

        public byte[][] Utf8 { get; }

        public Known With(string name)
        {
            var names = new string[Names.Length + 1];
            var utf8 = new byte[Utf8.Length + 1][];
            Names.CopyTo(names, 0);
            Utf8.CopyTo(utf8, 0);
            names[Names.Length] = name;
            utf8[Utf8.Length] = Encoding.UTF8.GetBytes(name);
            return new Known(names, utf8);
        }
    }
}
