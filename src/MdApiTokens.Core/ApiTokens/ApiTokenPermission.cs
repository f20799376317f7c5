namespace MdApiTokens.Core.ApiTokens;

/// <summary>An API operation a token may perform (the operations the Cloud App Security API offers).</summary>
public enum ApiTokenPermission
{
    /// <summary>List activities.</summary>
    ReadActivities,

    /// <summary>List alerts.</summary>
    ReadAlerts,

    /// <summary>List policy reports.</summary>
    ReadPolicyReports,

    /// <summary>Dismiss alerts (changes data).</summary>
    DismissAlerts,

    /// <summary>Resolve alerts (changes data).</summary>
    ResolveAlerts,

    /// <summary>Upload Cloud Discovery log files (changes data).</summary>
    UploadDiscoveryLogs,

    /// <summary>Generate block scripts for network appliances (changes data).</summary>
    GenerateBlockScripts,
}

/// <summary>Who a user is in a token store.</summary>
public enum ApiTokenRole
{
    /// <summary>Every permission; sees and revokes every token; assigns roles.</summary>
    GlobalAdmin,

    /// <summary>Every permission on their own tokens; sees and revokes only their own.</summary>
    SecurityOperator,

    /// <summary>Read-only permissions on their own tokens; sees and revokes only their own.</summary>
    SecurityReader,
}
