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
        if (reader.TokenType == JsonTokenType.String && !reader.ValueIsEscaped)
        {
            // The common case, without making a string: ISO 8601 read straight from the UTF-8 bytes.
            if (HasOffset(reader.HasValueSequence ? default : reader.ValueSpan) && reader.TryGetDateTimeOffset(out var withOffset))
            {
                return withOffset;
            }

            if (reader.TryGetDateTime(out var noOffset) && noOffset.Kind != DateTimeKind.Local)
            {
                return new DateTimeOffset(DateTime.SpecifyKind(noOffset, DateTimeKind.Unspecified), TimeSpan.Zero);
            }
        }

        if (reader.TokenType == JsonTokenType.String
            && DateTimeOffset.TryParse(reader.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time))
        {
            return time;
        }

        throw new JsonException($"Expected a date and time, not {reader.TokenType}.");
    }

    // "Z", or a sign after the time of day: 2026-01-10T12:00:00Z, ...T12:00:00.123+02:00.
    private static bool HasOffset(ReadOnlySpan<byte> value)
    {
        if (value.Length == 0)
        {
            return false;
        }

        if (value[value.Length - 1] is (byte)'Z' or (byte)'z')
        {
            return true;
        }

        var time = value.IndexOf((byte)'T');
        return time >= 0 && value.Slice(time).IndexOfAny((byte)'+', (byte)'-') >= 0;
    }

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.ToString("O", CultureInfo.InvariantCulture));
}
