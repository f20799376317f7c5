namespace MdApiTokens.Core.Defender;

/// <summary>The stable error ids of the Microsoft 365 Defender incidents capability; scripts and tests match on them.</summary>
public static class DefenderErrorIds
{
    /// <summary>An http (not https) API address that is not a loopback address: the bearer token would travel in clear text.</summary>
    public const string InsecureApiUri = "DefenderInsecureApiUri";

    /// <summary>An API address, region or cloud that cannot be used together, or an address that is not http(s).</summary>
    public const string ApiUriInvalid = "DefenderApiUriInvalid";

    /// <summary>The access token given is empty or not a bearer token this module can send.</summary>
    public const string AccessTokenInvalid = "DefenderAccessTokenInvalid";

    /// <summary>-TenantId names another tenant than the one the access token was issued for.</summary>
    public const string TenantMismatch = "DefenderTenantMismatch";

    /// <summary>A listing's page size or total is out of range.</summary>
    public const string QueryInvalid = "DefenderIncidentQueryInvalid";

    /// <summary>401: the token is expired, malformed or not issued for this API.</summary>
    public const string AuthenticationFailed = "DefenderAuthenticationFailed";

    /// <summary>403: the token is valid but lacks the role (Incident.Read.All / Incident.ReadWrite.All).</summary>
    public const string PermissionDenied = "DefenderPermissionDenied";

    /// <summary>404 for one incident id.</summary>
    public const string IncidentNotFound = "DefenderIncidentNotFound";

    /// <summary>400: the API rejected the request, typically a raw -Filter it cannot apply.</summary>
    public const string InvalidRequest = "DefenderInvalidRequest";

    /// <summary>429 after every allowed retry.</summary>
    public const string Throttled = "DefenderThrottled";

    /// <summary>Any other unsuccessful HTTP status, including 5xx after every allowed retry.</summary>
    public const string RequestFailed = "DefenderRequestFailed";

    /// <summary>The API could not be reached, or the connection broke, after every allowed retry.</summary>
    public const string ConnectionFailed = "DefenderConnectionFailed";

    /// <summary>No response within the request timeout, after every allowed retry.</summary>
    public const string RequestTimeout = "DefenderRequestTimeout";

    /// <summary>A response that is not the JSON the API documents (an HTML page, a truncated body, a foreign nextLink).</summary>
    public const string ResponseInvalid = "DefenderResponseInvalid";

    /// <summary>Set-DefenderIncident was given nothing to change, or a determination that does not fit the classification.</summary>
    public const string UpdateInvalid = "DefenderIncidentUpdateInvalid";
}
