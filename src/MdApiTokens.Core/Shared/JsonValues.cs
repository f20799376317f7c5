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
        JsonValueKind.Object => element.EnumerateObject().ToDictionary(p => p.Name, p => ToPlain(p.Value), StringComparer.Ordinal),
        JsonValueKind.Array => element.EnumerateArray().Select(ToPlain).ToArray(),
        JsonValueKind.String => element.GetString(),
        // A number beyond double (1e400) stays text rather than throwing.
        JsonValueKind.Number => element.TryGetInt64(out var l) ? l : element.TryGetDouble(out var d) ? d : element.GetRawText(),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        _ => null,
    };
}
