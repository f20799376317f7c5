using System;
using System.Collections.Generic;
using System.Linq;
using MdApiTokens.Core.Shared;

namespace MdApiTokens.Core.PartnerAccess;

/// <summary>
/// The partner application as one invocation uses it for every customer tenant: its id, credential, cloud, sign-in
/// host and scopes, each checked once, here.
/// </summary>
public sealed class PartnerApplication
{
    private PartnerApplication(string clientId, PartnerCredential credential, AzureCloud cloud, Uri? customAuthorityHost, string[] scopes)
    {
        ClientId = clientId;
        Credential = credential;
        Cloud = cloud;
        CustomAuthorityHost = customAuthorityHost;
        AuthorityHost = customAuthorityHost ?? PartnerClouds.AuthorityHost(cloud);
        Scopes = scopes;
    }

    /// <summary>The application (client) id, lower-case.</summary>
    public string ClientId { get; }

    public PartnerCredential Credential { get; }

    /// <summary>Decides the default sign-in host and scope.</summary>
    public AzureCloud Cloud { get; }

    /// <summary>The sign-in host tokens are requested from, ending in '/'.</summary>
    public Uri AuthorityHost { get; }

    /// <summary>The sign-in host given instead of the cloud's (a test fake), or null.</summary>
    public Uri? CustomAuthorityHost { get; }

    /// <summary>The scopes requested, each a resource's /.default scope.</summary>
    public IReadOnlyList<string> Scopes { get; }

    /// <summary>
    /// Checks the application's inputs: <paramref name="clientId"/> a GUID, <paramref name="authorityHost"/> (null: the
    /// cloud's) plain https, and each scope a /.default scope (none: the cloud's Defender API).
    /// </summary>
    public static PartnerApplication Create(string? clientId, PartnerCredential credential, AzureCloud cloud = AzureCloud.Public, Uri? authorityHost = null, IEnumerable<string>? scopes = null) =>
        new(PartnerClouds.NormalizeClientId(clientId), credential ?? throw new ArgumentNullException(nameof(credential)), cloud,
            authorityHost is null ? null : PartnerClouds.ValidateAuthorityHost(authorityHost), NormalizeScopes(scopes, cloud));

    /// <summary>
    /// The application id of a PSCredential-style pair (user name = application id, password = secret); a
    /// <paramref name="clientId"/> also given must be the same.
    /// </summary>
    public static string ClientIdFromCredential(string? userName, string? clientId)
    {
        string fromCredential;
        try
        {
            fromCredential = PartnerClouds.NormalizeClientId(userName);
        }
        catch (MdApiTokensException e)
        {
            throw new MdApiTokensException(e.ErrorId, e.Kind, "The user name of -Credential must be the application (client) id: " + e.Message, null,
                "Store the application id as the credential's user name and the client secret as its password.");
        }

        if (clientId is not null && !string.Equals(PartnerClouds.NormalizeClientId(clientId), fromCredential, StringComparison.OrdinalIgnoreCase))
        {
            throw new MdApiTokensException(PartnerAccessErrors.CredentialMismatch, ErrorKind.InvalidArgument,
                $"-ClientId {clientId} differs from the credential's user name {fromCredential}; the user name of -Credential is the application id.", clientId,
                "Leave out -ClientId, or store the application id as the credential's user name.");
        }

        return fromCredential;
    }

    /// <summary>The scopes to request: the cloud's Defender scope by default; each must be a resource's /.default scope.</summary>
    internal static string[] NormalizeScopes(IEnumerable<string>? scopes, AzureCloud cloud)
    {
        var list = (scopes ?? Enumerable.Empty<string>()).Where(s => !string.IsNullOrWhiteSpace(s)).Select(s => s.Trim()).Distinct(StringComparer.OrdinalIgnoreCase).ToArray();
        if (list.Length == 0)
        {
            return new[] { PartnerClouds.DefaultScope(cloud) };
        }

        foreach (var scope in list.Where(s => !s.EndsWith("/.default", StringComparison.OrdinalIgnoreCase)))
        {
            var suggestion = scope.EndsWith(".default", StringComparison.OrdinalIgnoreCase)
                ? scope.Substring(0, scope.Length - ".default".Length).TrimEnd('/') + "/.default"
                : scope.TrimEnd('/') + "/.default";
            throw new MdApiTokensException(PartnerAccessErrors.ScopeInvalid, ErrorKind.InvalidArgument,
                $"The scope '{scope}' cannot be used for an app-only token: client credentials take a resource's /.default scope.", scope,
                $"Use '{suggestion}' (the permissions come from the application's API permissions, not from the scope).");
        }

        return list;
    }
}
