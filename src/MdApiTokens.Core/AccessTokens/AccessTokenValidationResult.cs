using System;
using System.Collections.Generic;
using System.Linq;
using MdApiTokens.Core.Shared;

namespace MdApiTokens.Core.AccessTokens;

/// <summary>
/// What Test-AccessToken -Detailed returns: whether the token passed, which checks failed and why, and the decoded
/// claims (tid, appid, roles, aud, iss, exp ...). It never holds the token itself.
/// </summary>
public sealed class AccessTokenValidationResult
{
    internal AccessTokenValidationResult(IReadOnlyList<AccessTokenCheckResult> checks, DecodedClaims? claims)
    {
        Checks = checks;
        FailedChecks = checks.Where(c => c.Outcome == AccessTokenCheckOutcome.Failed).Select(c => c.Check).ToArray();
        IsValid = FailedChecks.Length == 0;
        var decoded = claims ?? DecodedClaims.Empty;
        TenantId = decoded.TenantId;
        AppId = decoded.AppId;
        Roles = decoded.Roles;
        Scopes = decoded.Scopes;
        Audience = decoded.Audience;
        Issuer = decoded.Issuer;
        ObjectId = decoded.ObjectId;
        Version = decoded.Version;
        IssuedAt = decoded.IssuedAt;
        NotBefore = decoded.NotBefore;
        ExpiresOn = decoded.ExpiresOn;
        Algorithm = decoded.Algorithm;
        KeyId = decoded.KeyId;
        Claims = decoded.All;
    }

    public bool IsValid { get; }

    /// <summary>The checks that failed, by name (Format, Expiry, NotBefore, Roles, Tenant, Audience, Signature).</summary>
    public AccessTokenCheck[] FailedChecks { get; }

    /// <summary>Every check with its outcome and the reason.</summary>
    public IReadOnlyList<AccessTokenCheckResult> Checks { get; }

    /// <summary><c>tid</c>: the tenant the token was issued in.</summary>
    public string? TenantId { get; }

    /// <summary><c>appid</c> (v1 tokens) or <c>azp</c> (v2 tokens): the application the token was issued to.</summary>
    public string? AppId { get; }

    /// <summary><c>roles</c>: the application permissions granted, e.g. Incident.Read.All.</summary>
    public string[] Roles { get; }

    /// <summary><c>scp</c>: delegated permissions (a token issued for a user, not an app-only token).</summary>
    public string[] Scopes { get; }

    /// <summary><c>aud</c>: the API the token is for (its URI in v1 tokens, usually its application id in v2).</summary>
    public string[] Audience { get; }

    /// <summary><c>iss</c>: {v1 issuer host}{tid}/ (v1) or {sign-in host}{tid}/v2.0 (v2), see <see cref="Shared.CloudEndpoints"/>.</summary>
    public string? Issuer { get; }

    /// <summary><c>oid</c>: the service principal's object id in the tenant.</summary>
    public string? ObjectId { get; }

    /// <summary><c>ver</c>: "1.0" or "2.0".</summary>
    public string? Version { get; }

    public DateTimeOffset? IssuedAt { get; }

    public DateTimeOffset? NotBefore { get; }

    public DateTimeOffset? ExpiresOn { get; }

    /// <summary>The header's <c>alg</c>.</summary>
    public string? Algorithm { get; }

    /// <summary>The header's <c>kid</c>: which of the issuer's keys signed the token.</summary>
    public string? KeyId { get; }

    /// <summary>Every payload claim as decoded, by name.</summary>
    public IDictionary<string, object?> Claims { get; }

    /// <summary>True when a signature check was asked for and passed.</summary>
    public bool SignatureVerified => Checks.Any(c => c.Check == AccessTokenCheck.Signature && c.Outcome == AccessTokenCheckOutcome.Passed);

    public override string ToString() =>
        IsValid ? $"Valid token (tenant {TenantId}, app {AppId})" : $"Invalid token: {string.Join(", ", FailedChecks)} failed";
}
