using System;
using System.Collections.Generic;
using System.Linq;
using MdApiTokens.Core.Shared;

namespace MdApiTokens.Core.PartnerAccess;

/// <summary>
/// An app-only access token for a customer tenant, as Get-PartnerAccessToken returns it and Get-DefenderIncident
/// takes it. <see cref="ToString"/> and the default view never show <see cref="AccessToken"/>.
/// </summary>
public sealed class PartnerAccessToken
{
    public PartnerAccessToken(string accessToken, string tokenType, DateTimeOffset expiresOn, string tenantId, string clientId, IEnumerable<string> scopes, AzureCloud cloud)
    {
        AccessToken = accessToken ?? throw new ArgumentNullException(nameof(accessToken));
        TokenType = tokenType ?? "Bearer";
        ExpiresOn = expiresOn;
        TenantId = tenantId ?? throw new ArgumentNullException(nameof(tenantId));
        ClientId = clientId ?? throw new ArgumentNullException(nameof(clientId));
        Scopes = scopes?.ToArray() ?? Array.Empty<string>();
        Cloud = cloud;
    }

    /// <summary>The raw bearer token (a JWT). Treat it as a secret.</summary>
    public string AccessToken { get; }

    public string TokenType { get; }

    public DateTimeOffset ExpiresOn { get; }

    /// <summary>The customer tenant the token is for.</summary>
    public string TenantId { get; }

    /// <summary>The partner application's id.</summary>
    public string ClientId { get; }

    public string[] Scopes { get; }

    public AzureCloud Cloud { get; }

    /// <summary>The authority (sign-in host and tenant) that issued the token, when known.</summary>
    public Uri? Authority { get; init; }

    /// <summary>The sign-in host given instead of the cloud's (-AuthorityHost), so Test-AccessToken fetches keys from the same place; null for a cloud's own.</summary>
    public Uri? AuthorityHost { get; init; }

    public override string ToString() => $"{TokenType} token for app {ClientId} in tenant {TenantId} (expires {ExpiresOn:u})";
}
