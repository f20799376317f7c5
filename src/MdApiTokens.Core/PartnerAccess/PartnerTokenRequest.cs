using System;
using System.Collections.Generic;
using MdApiTokens.Core.Shared;

namespace MdApiTokens.Core.PartnerAccess;

/// <summary>What to ask the identity platform for: an app-only token for <see cref="ClientId"/> in the customer tenant <see cref="TenantId"/>.</summary>
public sealed class PartnerTokenRequest
{
    /// <summary>How long one token request may take before it fails with <see cref="PartnerAccessErrorIds.TokenRequestTimeout"/>.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(60);

    public PartnerTokenRequest(string tenantId, string clientId, PartnerCredential credential)
    {
        TenantId = tenantId;
        ClientId = clientId;
        Credential = credential ?? throw new ArgumentNullException(nameof(credential));
    }

    /// <summary>The customer tenant: its id (GUID) or a verified domain.</summary>
    public string TenantId { get; }

    /// <summary>The partner application's id.</summary>
    public string ClientId { get; }

    public PartnerCredential Credential { get; }

    /// <summary>Decides the sign-in host and the default scope.</summary>
    public AzureCloud Cloud { get; init; } = AzureCloud.Public;

    /// <summary>Replaces the cloud's sign-in host (https only); the default scope still follows <see cref="Cloud"/>.</summary>
    public Uri? AuthorityHost { get; init; }

    /// <summary>The scopes (each ending in /.default); null or empty: the Defender API of <see cref="Cloud"/>.</summary>
    public IReadOnlyList<string>? Scopes { get; init; }

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
