using System;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace MdApiTokens.Core.Defender;

/// <summary>
/// Reads the value of a field the models do not know (the only <see cref="object"/> the Defender models hold) as its
/// UTF-8 JSON text, compacted, in one byte array: a listing of thousands of incidents pays for no parsing of fields
/// nobody reads. <see cref="DefenderApiObject.AdditionalProperties"/> converts them when first read.
/// </summary>
internal sealed class DefenderUnknownFieldConverter : JsonConverter<object>
{
    private const int MaxScratch = 64 * 1024;

    [ThreadStatic]
    private static byte[]? s_scratch;

    public override object? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var text = new Text(s_scratch ??= new byte[256]);
        var depth = reader.CurrentDepth;
        var separate = Append(ref text, ref reader, separate: false);
        if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
        {
            // Up to and including the end of this object or array, the one token back at its depth.
            while (reader.Read())
            {
                separate = Append(ref text, ref reader, separate);
                if (reader.CurrentDepth == depth)
                {
                    break;
                }
            }
        }

        var json = text.ToArray();

        // Cleared, as the response buffer is; and a rare huge value is not kept alive for the rest of the thread's life.
        text.Clear();
        s_scratch = text.Buffer.Length <= MaxScratch ? text.Buffer : null;
        return json;
    }

    public override void Write(Utf8JsonWriter writer, object value, JsonSerializerOptions options) =>
        throw new NotSupportedException("The Defender models are only read.");

    // Writes the current token, as the reader holds it (strings stay escaped), after a comma when one is due; returns
    // whether the next token needs one.
    private static bool Append(ref Text text, ref Utf8JsonReader reader, bool separate)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.EndObject:
                text.Add((byte)'}');
                return true;
            case JsonTokenType.EndArray:
                text.Add((byte)']');
                return true;
        }

        if (separate)
        {
            text.Add((byte)',');
        }

        switch (reader.TokenType)
        {
            case JsonTokenType.StartObject:
                text.Add((byte)'{');
                return false;
            case JsonTokenType.StartArray:
                text.Add((byte)'[');
                return false;
            case JsonTokenType.PropertyName:
                text.Add((byte)'"');
                text.Add(ref reader);
                text.Add((byte)'"');
                text.Add((byte)':');
                return false;
            case JsonTokenType.String:
                text.Add((byte)'"');
                text.Add(ref reader);
                text.Add((byte)'"');
                return true;
            default:
                // Numbers, true, false and null: the reader's value is the literal.
                text.Add(ref reader);
                return true;
        }
    }

    private struct Text
    {
        private int _length;

        public Text(byte[] buffer)
        {
            Buffer = buffer;
            _length = 0;
        }

        public byte[] Buffer { get; private set; }

        public void Add(byte b)
        {
            Reserve(1);
            Buffer[_length++] = b;
        }

        public void Add(ref Utf8JsonReader reader)
        {
            if (reader.HasValueSequence)
            {
                var sequence = reader.ValueSequence;
                Reserve(checked((int)sequence.Length));
                foreach (var segment in sequence)
                {
                    segment.Span.CopyTo(Buffer.AsSpan(_length));
                    _length += segment.Length;
                }
            }
            else
            {
                var span = reader.ValueSpan;
                Reserve(span.Length);
                span.CopyTo(Buffer.AsSpan(_length));
                _length += span.Length;
            }
        }

        public readonly byte[] ToArray() => Buffer.AsSpan(0, _length).ToArray();

        public readonly void Clear() => Buffer.AsSpan(0, _length).Clear();

        private void Reserve(int more)
        {
            if (_length + more > Buffer.Length)
            {
                var grown = new byte[Math.Max(Buffer.Length * 2, _length + more)];
                Buffer.AsSpan(0, _length).CopyTo(grown);
                Buffer = grown;
            }
        }
    }
}
