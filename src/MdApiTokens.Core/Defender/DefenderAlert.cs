using System;
using System.Collections.Generic;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace MdApiTokens.Core.Defender;

/// <summary>An alert of an incident, with the devices and entities it involves. Unknown fields are in <see cref="AdditionalProperties"/>.</summary>
public sealed class DefenderAlert : DefenderApiObject
{
    [JsonPropertyName("alertId")]
    public string? AlertId { get; set; }

    [JsonPropertyName("providerAlertId")]
    public string? ProviderAlertId { get; set; }

    [JsonPropertyName("incidentId")]
    public long? IncidentId { get; set; }

    /// <summary>The product that raised it: MicrosoftDefenderATP, OfficeATP, MicrosoftCloudAppSecurity, ...</summary>
    [JsonPropertyName("serviceSource")]
    [JsonConverter(typeof(DefenderNameConverter))]
    public string? ServiceSource { get; set; }

    [JsonPropertyName("creationTime")]
    public DateTimeOffset? CreationTime { get; set; }

    [JsonPropertyName("lastUpdatedTime")]
    public DateTimeOffset? LastUpdatedTime { get; set; }

    [JsonPropertyName("resolvedTime")]
    public DateTimeOffset? ResolvedTime { get; set; }

    [JsonPropertyName("firstActivity")]
    public DateTimeOffset? FirstActivity { get; set; }

    [JsonPropertyName("lastActivity")]
    public DateTimeOffset? LastActivity { get; set; }

    [JsonPropertyName("title")]
    public string? Title { get; set; }

    [JsonPropertyName("description")]
    public string? Description { get; set; }

    /// <summary>The MITRE ATT&amp;CK tactic, such as Impact or InitialAccess.</summary>
    [JsonPropertyName("category")]
    [JsonConverter(typeof(DefenderNameConverter))]
    public string? Category { get; set; }

    /// <summary>New, InProgress or Resolved.</summary>
    [JsonPropertyName("status")]
    [JsonConverter(typeof(DefenderNameConverter))]
    public string? Status { get; set; }

    [JsonPropertyName("severity")]
    [JsonConverter(typeof(DefenderNameConverter))]
    public string? Severity { get; set; }

    [JsonPropertyName("investigationId")]
    [JsonNumberHandling(JsonNumberHandling.AllowReadingFromString)]
    public long? InvestigationId { get; set; }

    [JsonPropertyName("investigationState")]
    [JsonConverter(typeof(DefenderNameConverter))]
    public string? InvestigationState { get; set; }

    [JsonPropertyName("classification")]
    [JsonConverter(typeof(DefenderNameConverter))]
    public string? Classification { get; set; }

    [JsonPropertyName("determination")]
    [JsonConverter(typeof(DefenderNameConverter))]
    public string? Determination { get; set; }

    [JsonPropertyName("detectionSource")]
    [JsonConverter(typeof(DefenderNameConverter))]
    public string? DetectionSource { get; set; }

    [JsonPropertyName("detectorId")]
    public string? DetectorId { get; set; }

    [JsonPropertyName("assignedTo")]
    public string? AssignedTo { get; set; }

    /// <summary>The activity group behind it, if known.</summary>
    [JsonPropertyName("actorName")]
    public string? ActorName { get; set; }

    [JsonPropertyName("threatFamilyName")]
    public string? ThreatFamilyName { get; set; }

    [JsonPropertyName("mitreTechniques")]
    [JsonConverter(typeof(DefenderArrayConverter<string>))]
    public string[] MitreTechniques { get; set; } = Array.Empty<string>();

    [JsonPropertyName("devices")]
    [JsonConverter(typeof(DefenderArrayConverter<DefenderAlertDevice>))]
    public DefenderAlertDevice[] Devices { get; set; } = Array.Empty<DefenderAlertDevice>();

    [JsonPropertyName("entities")]
    [JsonConverter(typeof(DefenderArrayConverter<DefenderAlertEntity>))]
    public DefenderAlertEntity[] Entities { get; set; } = Array.Empty<DefenderAlertEntity>();

    private protected override void OnDeserialized(DefenderUnknownFields? unknownFields)
    {
        MitreTechniques ??= Array.Empty<string>();
        Devices ??= Array.Empty<DefenderAlertDevice>();
        Entities ??= Array.Empty<DefenderAlertEntity>();
    }

    public override string ToString() => $"Alert {AlertId}: {Title} ({Severity}, {Status})";
}

/// <summary>A device an alert was raised on.</summary>
public sealed class DefenderAlertDevice : DefenderApiObject
{
    /// <summary>The device id in Microsoft Defender for Endpoint (the API's <c>mdatpDeviceId</c>).</summary>
    [JsonPropertyName("mdatpDeviceId")]
    public string? DeviceId { get; set; }

    [JsonPropertyName("aadDeviceId")]
    public string? AadDeviceId { get; set; }

    [JsonPropertyName("deviceDnsName")]
    public string? DeviceDnsName { get; set; }

    [JsonPropertyName("osPlatform")]
    [JsonConverter(typeof(DefenderNameConverter))]
    public string? OsPlatform { get; set; }

    [JsonPropertyName("version")]
    public string? Version { get; set; }

    [JsonPropertyName("osProcessor")]
    public string? OsProcessor { get; set; }

    [JsonPropertyName("osBuild")]
    [JsonNumberHandling(JsonNumberHandling.AllowReadingFromString)]
    public long? OsBuild { get; set; }

    [JsonPropertyName("healthStatus")]
    [JsonConverter(typeof(DefenderNameConverter))]
    public string? HealthStatus { get; set; }

    [JsonPropertyName("riskScore")]
    [JsonConverter(typeof(DefenderNameConverter))]
    public string? RiskScore { get; set; }

    [JsonPropertyName("rbacGroupName")]
    public string? RbacGroupName { get; set; }

    [JsonPropertyName("rbacGroupId")]
    [JsonNumberHandling(JsonNumberHandling.AllowReadingFromString)]
    public long? RbacGroupId { get; set; }

    [JsonPropertyName("firstSeen")]
    public DateTimeOffset? FirstSeen { get; set; }

    private protected override void OnDeserialized(DefenderUnknownFields? unknownFields)
    {
        // The field table of the docs calls the id "DeviceId"; the responses call it mdatpDeviceId. Take either.
        if (DeviceId is null && unknownFields is not null)
        {
            foreach (var name in new[] { "deviceId", "DeviceId" })
            {
                using var value = unknownFields.TryGetValue(name, out var json) ? Parse(json) : null;
                if (value?.RootElement.ValueKind == JsonValueKind.String)
                {
                    DeviceId = value.RootElement.GetString();
                    unknownFields.Remove(name);
                    break;
                }
            }
        }
    }

    public override string ToString() => DeviceDnsName ?? DeviceId ?? "(device)";
}

/// <summary>
/// Evidence an alert involves: a user, IP address, URL, file, process, mailbox, mail message, mail cluster, registry
/// value, security group... Only the fields of its <see cref="EntityType"/> are set.
/// </summary>
public sealed class DefenderAlertEntity : DefenderApiObject
{
    /// <summary>User, Ip, Url, File, Process, MailBox, MailMessage, MailCluster, Registry, SecurityGroup, ...</summary>
    [JsonPropertyName("entityType")]
    [JsonConverter(typeof(DefenderNameConverter))]
    public string? EntityType { get; set; }

    [JsonPropertyName("evidenceCreationTime")]
    public DateTimeOffset? EvidenceCreationTime { get; set; }

    [JsonPropertyName("verdict")]
    [JsonConverter(typeof(DefenderNameConverter))]
    public string? Verdict { get; set; }

    [JsonPropertyName("remediationStatus")]
    [JsonConverter(typeof(DefenderNameConverter))]
    public string? RemediationStatus { get; set; }

    [JsonPropertyName("sha1")]
    public string? Sha1 { get; set; }

    [JsonPropertyName("sha256")]
    public string? Sha256 { get; set; }

    [JsonPropertyName("fileName")]
    public string? FileName { get; set; }

    [JsonPropertyName("filePath")]
    public string? FilePath { get; set; }

    [JsonPropertyName("processId")]
    [JsonNumberHandling(JsonNumberHandling.AllowReadingFromString)]
    public long? ProcessId { get; set; }

    [JsonPropertyName("processCommandLine")]
    public string? ProcessCommandLine { get; set; }

    [JsonPropertyName("processCreationTime")]
    public DateTimeOffset? ProcessCreationTime { get; set; }

    [JsonPropertyName("parentProcessId")]
    [JsonNumberHandling(JsonNumberHandling.AllowReadingFromString)]
    public long? ParentProcessId { get; set; }

    [JsonPropertyName("parentProcessCreationTime")]
    public DateTimeOffset? ParentProcessCreationTime { get; set; }

    [JsonPropertyName("ipAddress")]
    public string? IpAddress { get; set; }

    [JsonPropertyName("url")]
    public string? Url { get; set; }

    [JsonPropertyName("accountName")]
    public string? AccountName { get; set; }

    [JsonPropertyName("domainName")]
    public string? DomainName { get; set; }

    [JsonPropertyName("userSid")]
    public string? UserSid { get; set; }

    [JsonPropertyName("aadUserId")]
    public string? AadUserId { get; set; }

    [JsonPropertyName("userPrincipalName")]
    public string? UserPrincipalName { get; set; }

    [JsonPropertyName("mailboxDisplayName")]
    public string? MailboxDisplayName { get; set; }

    [JsonPropertyName("mailboxAddress")]
    public string? MailboxAddress { get; set; }

    [JsonPropertyName("clusterBy")]
    public string? ClusterBy { get; set; }

    [JsonPropertyName("sender")]
    public string? Sender { get; set; }

    [JsonPropertyName("recipient")]
    public string? Recipient { get; set; }

    [JsonPropertyName("subject")]
    public string? Subject { get; set; }

    [JsonPropertyName("deliveryAction")]
    public string? DeliveryAction { get; set; }

    [JsonPropertyName("securityGroupId")]
    public string? SecurityGroupId { get; set; }

    [JsonPropertyName("securityGroupName")]
    public string? SecurityGroupName { get; set; }

    [JsonPropertyName("registryHive")]
    public string? RegistryHive { get; set; }

    [JsonPropertyName("registryKey")]
    public string? RegistryKey { get; set; }

    [JsonPropertyName("registryValueType")]
    public string? RegistryValueType { get; set; }

    [JsonPropertyName("registryValue")]
    public string? RegistryValue { get; set; }

    /// <summary>The device the entity was seen on, if any.</summary>
    [JsonPropertyName("deviceId")]
    public string? DeviceId { get; set; }


    public override string ToString() => EntityType + ": " + (UserPrincipalName ?? AccountName ?? FileName ?? IpAddress ?? Url ?? MailboxAddress ?? Subject ?? ClusterBy ?? RegistryKey ?? SecurityGroupName ?? ProcessCommandLine ?? "");
}
