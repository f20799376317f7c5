using System.Text.Json.Serialization;

namespace MdApiTokens.Core.Defender;

/// <summary>
/// Source-generated serialization metadata for what the Defender API returns: no reflection at run time, and the
/// same on every runtime the module loads on. Times without an offset are read as UTC.
/// </summary>
[JsonSourceGenerationOptions(PropertyNameCaseInsensitive = true, Converters = new[] { typeof(DefenderTimeConverter), typeof(DefenderUnknownFieldConverter) })]
[JsonSerializable(typeof(IncidentPage))]
[JsonSerializable(typeof(DefenderIncident))]
internal sealed partial class DefenderJsonContext : JsonSerializerContext
{
}
