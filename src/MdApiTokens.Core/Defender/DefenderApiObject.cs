using System;
using System.Collections.Generic;
using System.Text.Json;
using System.Text.Json.Serialization;
using MdApiTokens.Core.Shared;

namespace MdApiTokens.Core.Defender;

/// <summary>An object the incidents API returns. Fields this module has no property for are kept, as plain .NET values, in <see cref="AdditionalProperties"/>.</summary>
public abstract class DefenderApiObject : IJsonOnDeserialized
{
    private IReadOnlyDictionary<string, object?>? _additionalProperties;

    /// <summary>Fields of the response this type does not define, as plain .NET values (strings, numbers, booleans, arrays, dictionaries), converted when first read.</summary>
    [JsonIgnore]
    public IReadOnlyDictionary<string, object?> AdditionalProperties => _additionalProperties ??= ToPlain(ExtensionData);

    // Each value is its JSON text (see DefenderUnknownFieldConverter), or null for a JSON null.
    [JsonExtensionData]
    [JsonInclude]
    internal DefenderUnknownFields? ExtensionData { get; set; }

    void IJsonOnDeserialized.OnDeserialized() => OnDeserialized(ExtensionData);

    /// <summary>Fills defaults after deserialization; may take (and remove) fields from <paramref name="unknownFields"/>.</summary>
    private protected virtual void OnDeserialized(DefenderUnknownFields? unknownFields)
    {
    }

    /// <summary>The value of an unknown field, parsed from the JSON text it was kept as.</summary>
    private protected static JsonDocument? Parse(object? value) => value is byte[] json ? JsonDocument.Parse(json) : null;

    private static IReadOnlyDictionary<string, object?> ToPlain(DefenderUnknownFields? unknownFields)
    {
        var result = new Dictionary<string, object?>(StringComparer.Ordinal);
        if (unknownFields is null)
        {
            return result;
        }

        foreach (var pair in unknownFields)
        {
            // OData control information (@odata.context and the like) is about the response, not the incident.
            if (!pair.Key.StartsWith("@odata.", StringComparison.Ordinal))
            {
                using var document = Parse(pair.Value);
                result[pair.Key] = document is null ? null : JsonValues.ToPlain(document.RootElement);
            }
        }

        return result;
    }
}
