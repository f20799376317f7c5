using System;
using System.Security;
using MdApiTokens.Core.Shared;

namespace MdApiTokens.Core.PartnerAccess;

/// <summary>
/// What Get-PartnerAccessToken -AsSecureString returns: a <see cref="PartnerAccessToken"/> whose token is a read-only
/// <see cref="SecureString"/>, taken by every cmdlet that takes a token.
/// </summary>
public sealed class SecurePartnerAccessToken
{
    private SecurePartnerAccessToken(PartnerAccessToken token)
    {
        AccessToken = SecretText.Wrap(token.AccessToken);
        TokenType = token.TokenType;
        ExpiresOn = token.ExpiresOn;
        TenantId = token.TenantId;
        ClientId = token.ClientId;
        Scopes = token.Scopes;
        Cloud = token.Cloud;
        Authority = token.Authority;
        AuthorityHost = token.AuthorityHost;
    }

    /// <summary>The bearer token, read-only.</summary>
    public SecureString AccessToken { get; }

    public string TokenType { get; }

    public DateTimeOffset ExpiresOn { get; }

    /// <summary>The customer tenant the token is for.</summary>
    public string TenantId { get; }

    /// <summary>The partner application's id.</summary>
    public string ClientId { get; }

    public string[] Scopes { get; }

    public AzureCloud Cloud { get; }

    public Uri? Authority { get; }

    public Uri? AuthorityHost { get; }

    /// <summary>The same token with its value in a SecureString.</summary>
    public static SecurePartnerAccessToken From(PartnerAccessToken token) => new(token ?? throw new ArgumentNullException(nameof(token)));

    public override string ToString() => $"{TokenType} token for app {ClientId} in tenant {TenantId} (expires {ExpiresOn:u})";
}
