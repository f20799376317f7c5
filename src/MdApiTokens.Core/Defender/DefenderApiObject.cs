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
    public IReadOnlyDictionary<string, object?> AdditionalProperties => _additionalProperties ??= JsonValues.ToPlain(ExtensionData);

    [JsonExtensionData]
    [JsonInclude]
    internal Dictionary<string, JsonElement>? ExtensionData { get; set; }

    void IJsonOnDeserialized.OnDeserialized() => OnDeserialized(ExtensionData);

    /// <summary>Fills defaults after deserialization; may take (and remove) fields from <paramref name="unknownFields"/>.</summary>
    private protected virtual void OnDeserialized(Dictionary<string, JsonElement>? unknownFields)
    {
    }
}
