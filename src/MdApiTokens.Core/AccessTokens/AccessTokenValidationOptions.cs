using System;
using System.Collections.Generic;
using MdApiTokens.Core.Shared;

namespace MdApiTokens.Core.AccessTokens;

/// <summary>What a token must satisfy besides being a well-formed, current JWT.</summary>
public sealed class AccessTokenValidationOptions
{
    /// <summary>The Microsoft 365 Defender API, as v1 tokens name it in <c>aud</c>.</summary>
    public const string DefaultAudience = CloudTable.PublicDefenderApiResource;

    /// <summary>How far the token's times may be off the local clock.</summary>
    public static readonly TimeSpan DefaultClockSkew = TimeSpan.FromMinutes(5);

    /// <summary>Roles (application permissions) that must all be in the <c>roles</c> claim, e.g. Incident.Read.All.</summary>
    public IReadOnlyList<string> RequiredRoles { get; init; } = Array.Empty<string>();

    /// <summary>The tenant (GUID) <c>tid</c> must name; null: not checked.</summary>
    public string? TenantId { get; init; }

    /// <summary>The API <c>aud</c> must name (its URI or application id); null: not checked.</summary>
    public string? Audience { get; init; } = DefaultAudience;

    /// <summary>Keys to verify the signature with (offline); null: the keys the issuing authority publishes.</summary>
    public AccessTokenSigningKeys? SigningKeys { get; init; }

    /// <summary>Decode and check the claims only; the result says the signature was not checked. An unsigned token still fails.</summary>
    public bool SkipSignatureCheck { get; init; }

    /// <summary>The cloud whose sign-in host publishes the keys.</summary>
    public AzureCloud Cloud { get; init; } = AzureCloud.Public;

    /// <summary>Another https sign-in host to fetch the OpenID configuration and keys from (a test fake); null: the cloud's.</summary>
    public Uri? AuthorityHost { get; init; }

    /// <summary>How long one request for the authority's metadata or keys may take, body included.</summary>
    public TimeSpan KeyRequestTimeout { get; init; } = AccessTokenIssuerKeys.DefaultRequestTimeout;

    /// <summary>Where fetched keys are cached; null: <see cref="AccessTokenIssuerKeys.Shared"/>.</summary>
    public AccessTokenIssuerKeys? IssuerKeys { get; init; }

    public TimeSpan ClockSkew { get; init; } = DefaultClockSkew;
}
