using System;
using System.Security;
using MdApiTokens.Core.Shared;

namespace MdApiTokens.Core.PartnerAccess;

/// <summary>
/// Get-PartnerAccessToken -AsSecureString's output: a <see cref="PartnerAccessToken"/> whose <see cref="AccessToken"/> is
/// a read-only SecureString, which every cmdlet that takes a token accepts by property name.
/// </summary>
public sealed class SecurePartnerAccessToken
{
    public SecurePartnerAccessToken(PartnerAccessToken token)
    {
        if (token is null)
        {
            throw new ArgumentNullException(nameof(token));
        }

        AccessToken = SecretText.Wrap(token.AccessToken);
        TokenType = token.TokenType;
        ExpiresOn = token.ExpiresOn;
        TenantId = token.TenantId;
        ClientId = token.ClientId;
        Scopes = token.Scopes;
        Cloud = token.Cloud;
        Authority = token.Authority;
    }

    /// <summary>The bearer token, never as plain text.</summary>
    public SecureString AccessToken { get; }

    public string TokenType { get; }

    public DateTimeOffset ExpiresOn { get; }

    /// <summary>The tenant the token is for.</summary>
    public string TenantId { get; }

    /// <summary>The application (or managed identity) the token was issued to.</summary>
    public string ClientId { get; }

    public string[] Scopes { get; }

    public AzureCloud Cloud { get; }

    /// <summary>The authority that issued the token, when known.</summary>
    public Uri? Authority { get; }

    public override string ToString() => $"{TokenType} token for app {ClientId} in tenant {TenantId} (expires {ExpiresOn:u})";
}
