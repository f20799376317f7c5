using System;
using System.Collections.Generic;
using MdApiTokens.Core.Shared;

namespace MdApiTokens.Core.PartnerAccess;

/// <summary>What to ask the identity platform for: an app-only token for <see cref="Application"/> in the customer tenant <see cref="TenantId"/>.</summary>
public sealed class PartnerTokenRequest
{
    /// <summary>How long one token request may take before it fails with <see cref="PartnerAccessErrors.TokenRequestTimeout"/>.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(60);

    public PartnerTokenRequest(string tenantId, PartnerApplication application)
    {
        TenantId = tenantId;
        Application = application ?? throw new ArgumentNullException(nameof(application));
    }

    /// <summary>The customer tenant: its id (GUID) or a verified domain; checked when the request is made.</summary>
    public string TenantId { get; }

    /// <summary>The partner application, its credential, cloud, sign-in host and scopes (already checked).</summary>
    public PartnerApplication Application { get; }

    /// <summary>Ask the identity platform even if the in-process cache holds a valid token.</summary>
    public bool ForceRefresh { get; init; }

    public TimeSpan Timeout { get; init; } = DefaultTimeout;
}

/// <summary>A token and whether it came from the in-process cache.</summary>
public sealed class PartnerTokenResult
{
    public PartnerTokenResult(PartnerAccessToken token, bool fromCache)
    {
        Token = token;
        FromCache = fromCache;
    }

    public PartnerAccessToken Token { get; }

    /// <summary>True when no request was sent: MSAL's in-memory cache still held a token valid for at least five more minutes.</summary>
    public bool FromCache { get; }
}
