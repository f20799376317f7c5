using System;
using System.Globalization;
using System.Text.Json;
using System.Xml;

namespace MdApiTokens.Core.Defender;

/// <summary>
/// Turns a hunting result's JSON value into the .NET value its column's type promises: DateTime (UTC), Int (int),
/// Long (long), Double/Real (double), Decimal, Boolean, String, Guid, TimeSpan, and Dynamic as parsed JSON (nested
/// JSON, or JSON text as the Defender API sends it); SByte is how Kusto types a bool. A value that does not fit its
/// type is kept as it came.
/// </summary>
internal static class HuntingValues
{
    /// <summary>Converts <paramref name="value"/> for a column of <paramref name="type"/>; <paramref name="fits"/> is false when it had to be kept as it came.</summary>
    public static object? Convert(JsonElement value, string type, out bool fits)
    {
        fits = true;
        if (value.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined)
        {
            return null;
        }

        object? typed = Normalise(type) switch
        {
            "datetime" or "date" => ToDateTime(value),
            "int" or "int32" or "integer" => ToNumber(value, s => int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : null),
            "long" or "int64" => ToNumber(value, s => long.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : null),
            "double" or "real" or "float" or "single" => ToNumber(value, s => double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var n) ? n : null),
            "decimal" => ToNumber(value, s => decimal.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var n) ? n : null),
            "boolean" or "bool" or "sbyte" => ToBoolean(value),
            "string" => value.ValueKind == JsonValueKind.String ? value.GetString() : null,
            "guid" or "uniqueid" => value.ValueKind == JsonValueKind.String && Guid.TryParse(value.GetString(), out var g) ? g : null,
            "timespan" or "time" => ToTimeSpan(value),
            "dynamic" or "object" => ToDynamic(value),
            _ => JsonValues.ToPlain(value),
        };

        if (typed is null)
        {
            fits = false;
            return JsonValues.ToPlain(value);
        }

        return typed;
    }

    private static string Normalise(string type)
    {
        var t = (type ?? "").Trim().ToLowerInvariant();
        return t.StartsWith("system.", StringComparison.Ordinal) ? t.Substring("system.".Length) : t;
    }

    private static object? ToDateTime(JsonElement value) =>
        value.ValueKind == JsonValueKind.String
        && DateTime.TryParse(value.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time)
            ? DateTime.SpecifyKind(time, DateTimeKind.Utc)
            : null;

    // Numbers come as JSON numbers, or as text when the writer keeps 64-bit precision that way.
    private static object? ToNumber(JsonElement value, Func<string, object?> parse) => value.ValueKind switch
    {
        JsonValueKind.Number => parse(value.GetRawText()),
        JsonValueKind.String => parse(value.GetString()!.Trim()),
        _ => null,
    };

    private static object? ToBoolean(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        JsonValueKind.Number when value.TryGetInt64(out var n) && n is 0 or 1 => n == 1,
        JsonValueKind.String when bool.TryParse(value.GetString(), out var b) => b,
        _ => null,
    };

    private static object? ToTimeSpan(JsonElement value)
    {
        if (value.ValueKind != JsonValueKind.String)
        {
            return null;
        }

        var text = value.GetString()!.Trim();
        if (TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var span))
        {
            return span;
        }

        try
        {
            return text.StartsWith("P", StringComparison.OrdinalIgnoreCase) || text.StartsWith("-P", StringComparison.OrdinalIgnoreCase) ? XmlConvert.ToTimeSpan(text) : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }

    // Graph sends a dynamic column as nested JSON, the Defender API as JSON text: parse the text when it is an object
    // or an array; any other text is a dynamic string and stays one.
    private static object? ToDynamic(JsonElement value)
    {
        if (value.ValueKind != JsonValueKind.String)
        {
            return JsonValues.ToPlain(value);
        }

        var text = value.GetString()!;
        var trimmed = text.TrimStart();
        if (trimmed.StartsWith("{", StringComparison.Ordinal) || trimmed.StartsWith("[", StringComparison.Ordinal))
        {
            try
            {
                using var document = JsonDocument.Parse(text);
                return JsonValues.ToPlain(document.RootElement);
            }
            catch (JsonException)
            {
            }
        }

        return text;
    }
}
