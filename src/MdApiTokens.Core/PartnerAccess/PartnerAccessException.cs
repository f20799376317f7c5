using System;

namespace MdApiTokens.Core.PartnerAccess;

/// <summary>
/// A token request the identity platform refused or could not answer, with what the platform said that helps a person
/// act on it: the AADSTS code, the OAuth error, the HTTP status, correlation and trace ids, and, when the application
/// lacks consent in the tenant, the consent link. It concerns one tenant, so a pipeline over many goes on. Never carries the request's secret, nor MSAL's exception (which may
/// quote the server's response).
/// </summary>
public sealed class PartnerAccessException : MdApiTokensException
{
    public PartnerAccessException(string errorId, ErrorKind kind, string message, string tenantId, string? recommendedAction)
        : base(errorId, kind, message, tenantId, recommendedAction, scope: ErrorScope.Item)
    {
        TenantId = tenantId;
    }

    /// <summary>The tenant the request was for.</summary>
    public string TenantId { get; }

    /// <summary>The AADSTS error code (e.g. "AADSTS700016"), or null when the platform gave none.</summary>
    public string? AadstsCode { get; init; }

    /// <summary>The OAuth 2.0 error (invalid_client, unauthorized_client ...) or MSAL's error code.</summary>
    public string? OAuthError { get; init; }

    /// <summary>The HTTP status of the token response, when there was one.</summary>
    public int? StatusCode { get; init; }

    public string? CorrelationId { get; init; }

    public string? TraceId { get; init; }

    /// <summary>For <see cref="PartnerAccessErrors.ConsentMissing"/>: the link a Global Administrator of the tenant opens to consent.</summary>
    public Uri? ConsentLink { get; init; }

    /// <summary>For throttling: how long the platform asked to wait.</summary>
    public TimeSpan? RetryAfter { get; init; }
}
