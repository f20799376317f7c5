using System;
using System.Collections.Generic;

namespace MdApiTokens.Core.Shared;

/// <summary>The claims of a bearer token, decoded once and never trusted by themselves (see <see cref="BearerToken"/>).</summary>
internal sealed class DecodedClaims
{
    public static readonly DecodedClaims Empty = new();

    public string? TenantId { get; init; }

    public string? AppId { get; init; }

    public string[] Roles { get; init; } = Array.Empty<string>();

    public string[] Scopes { get; init; } = Array.Empty<string>();

    public string[] Audience { get; init; } = Array.Empty<string>();

    public string? Issuer { get; init; }

    public string? ObjectId { get; init; }

    public string? Version { get; init; }

    public DateTimeOffset? IssuedAt { get; init; }

    public DateTimeOffset? NotBefore { get; init; }

    public DateTimeOffset? ExpiresOn { get; init; }

    public string? Algorithm { get; init; }

    public string? KeyId { get; init; }

    /// <summary>False when the signature part is empty.</summary>
    public bool IsSigned { get; init; }

    public IDictionary<string, object?> All { get; init; } = new Dictionary<string, object?>();

    /// <summary>Claims present with the wrong JSON type (aud: null, exp: "soon" ...) or given twice.</summary>
    public IReadOnlyCollection<string> Malformed { get; set; } = Array.Empty<string>();

    /// <summary>What the token may do, for messages: its roles, else its scopes.</summary>
    public string DescribePermissions() =>
        Roles.Length > 0 ? "roles " + string.Join(", ", Roles)
        : Scopes.Length > 0 ? "scopes " + string.Join(", ", Scopes)
        : "no roles or scopes";
}
