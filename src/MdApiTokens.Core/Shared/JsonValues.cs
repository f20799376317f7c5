using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;

namespace MdApiTokens.Core.Shared;

/// <summary>Turns JSON into plain .NET values (unknown API fields, decoded JWT claims), so nothing outside Core sees a JsonElement.</summary>
internal static class JsonValues
{
    /// <summary>Objects become dictionaries, arrays object[], numbers long or double, and so on.</summary>
    public static object? ToPlain(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => ToDictionary(element),
        JsonValueKind.Array => element.EnumerateArray().Select(ToPlain).ToArray(),
        JsonValueKind.String => element.GetString(),
        // A number beyond double (1e400) stays text rather than throwing.
        JsonValueKind.Number => element.TryGetInt64(out var l) ? l : element.TryGetDouble(out var d) ? d : element.GetRawText(),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        _ => null,
    };

    // A name sent twice counts once, with its last value, as System.Text.Json reads a model's fields.
    private static Dictionary<string, object?> ToDictionary(JsonElement element)
    {
        var result = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var property in element.EnumerateObject())
        {
            result[property.Name] = ToPlain(property.Value);
        }

        return result;
    }
}
