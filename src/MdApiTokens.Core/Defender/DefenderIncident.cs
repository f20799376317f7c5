using System;
using System.Collections.Generic;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace MdApiTokens.Core.Defender;

/// <summary>
/// A Microsoft 365 Defender incident: correlated alerts that tell the story of an attack, with the tenant and API it
/// came from. Status, severity, classification and determination are strings, as the API sends them, so values the
/// API adds later come through unchanged. Fields this type does not know are in <see cref="AdditionalProperties"/>.
/// </summary>
public sealed class DefenderIncident : DefenderApiObject
{
    private Uri? _incidentUri;

    [JsonPropertyName("incidentId")]
    [JsonRequired]
    public long IncidentId { get; set; }

    /// <summary>The incident's page in the Microsoft Defender portal.</summary>
    [JsonIgnore]
    public Uri? IncidentUri
    {
        get => _incidentUri ??= IncidentUriText is { } text && Uri.TryCreate(text, UriKind.Absolute, out var uri) ? uri : null;
        set
        {
            _incidentUri = value;
            IncidentUriText = value?.OriginalString;
        }
    }

    // Kept as the API sent it and made a Uri only when read: a listing of thousands pays for no parsing.
    [JsonPropertyName("incidentUri")]
    [JsonInclude]
    internal string? IncidentUriText { get; set; }

    /// <summary>The incident this one was merged into, when it was.</summary>
    [JsonPropertyName("redirectIncidentId")]
    public long? RedirectIncidentId { get; set; }

    [JsonPropertyName("incidentName")]
    public string? IncidentName { get; set; }

    [JsonPropertyName("createdTime")]
    public DateTimeOffset? CreatedTime { get; set; }

    [JsonPropertyName("lastUpdateTime")]
    public DateTimeOffset? LastUpdateTime { get; set; }

    /// <summary>The owner, or null when unassigned.</summary>
    [JsonPropertyName("assignedTo")]
    public string? AssignedTo { get; set; }

    /// <summary>Unknown, TruePositive, InformationalExpectedActivity, FalsePositive.</summary>
    [JsonPropertyName("classification")]
    [JsonConverter(typeof(DefenderNameConverter))]
    public string? Classification { get; set; }

    /// <summary>NotAvailable, Malware, Phishing, ... (see <see cref="DefenderIncidentDetermination"/>).</summary>
    [JsonPropertyName("determination")]
    [JsonConverter(typeof(DefenderNameConverter))]
    public string? Determination { get; set; }

    [JsonPropertyName("detectionSource")]
    [JsonConverter(typeof(DefenderNameConverter))]
    public string? DetectionSource { get; set; }

    /// <summary>Active, InProgress, Resolved or Redirected.</summary>
    [JsonPropertyName("status")]
    [JsonConverter(typeof(DefenderNameConverter))]
    public string? Status { get; set; }

    /// <summary>UnSpecified, Informational, Low, Medium or High.</summary>
    [JsonPropertyName("severity")]
    [JsonConverter(typeof(DefenderNameConverter))]
    public string? Severity { get; set; }

    [JsonPropertyName("tags")]
    [JsonConverter(typeof(DefenderArrayConverter<string>))]
    public string[] Tags { get; set; } = Array.Empty<string>();

    [JsonPropertyName("comments")]
    [JsonConverter(typeof(DefenderArrayConverter<DefenderIncidentComment>))]
    public DefenderIncidentComment[] Comments { get; set; } = Array.Empty<DefenderIncidentComment>();

    [JsonPropertyName("alerts")]
    [JsonConverter(typeof(DefenderArrayConverter<DefenderAlert>))]
    public DefenderAlert[] Alerts { get; set; } = Array.Empty<DefenderAlert>();

    /// <summary>The customer tenant the incident belongs to (from -TenantId, the piped token, or the token's tid claim).</summary>
    [JsonIgnore]
    public string? TenantId { get; set; }

    /// <summary>The API base the incident was read from, so Set-DefenderIncident can write it back to the same host.</summary>
    [JsonIgnore]
    public Uri? ApiUri { get; set; }

    private protected override void OnDeserialized(DefenderUnknownFields? unknownFields)
    {
        Tags ??= Array.Empty<string>();
        Comments ??= Array.Empty<DefenderIncidentComment>();
        Alerts ??= Array.Empty<DefenderAlert>();
    }

    public override string ToString() => $"Incident {IncidentId}: {IncidentName} ({Severity}, {Status})";
}

/// <summary>A comment on an incident.</summary>
public sealed class DefenderIncidentComment : DefenderApiObject
{
    [JsonPropertyName("comment")]
    public string? Text { get; set; }

    [JsonPropertyName("createdBy")]
    public string? CreatedBy { get; set; }

    [JsonPropertyName("createdTime")]
    public DateTimeOffset? CreatedTime { get; set; }


    public override string ToString() => $"{CreatedBy}: {Text}";
}
