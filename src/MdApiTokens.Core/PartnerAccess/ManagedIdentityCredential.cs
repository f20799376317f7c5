using System;
using System.Collections.Generic;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using MdApiTokens.Core.Shared;
using Microsoft.Identity.Client;
using Microsoft.Identity.Client.AppConfig;

namespace MdApiTokens.Core.PartnerAccess;

/// <summary>
/// The managed identity of the Azure resource this runs on (system-assigned, or user-assigned by its client id), through
/// MSAL, which finds the endpoint in the environment (IDENTITY_ENDPOINT and IDENTITY_HEADER on App Service, Functions and
/// Automation; the metadata endpoint on virtual machines). One MSAL application per identity, so its token cache answers
/// repeat requests.
/// </summary>
public sealed class PartnerManagedIdentity
{
    private static readonly Dictionary<string, IManagedIdentityApplication> s_applications = new(StringComparer.Ordinal);

    private PartnerManagedIdentity(string? clientId) => ClientId = clientId;

    /// <summary>The resource's system-assigned identity.</summary>
    public static PartnerManagedIdentity SystemAssigned { get; } = new(null);

    /// <summary>The client id of a user-assigned identity, or null for the system-assigned one.</summary>
    public string? ClientId { get; }

    /// <summary>For messages: "system-assigned managed identity" or "user-assigned managed identity {id}".</summary>
    public string Description => ClientId is null ? "system-assigned managed identity" : $"user-assigned managed identity {ClientId}";

    /// <summary>A user-assigned identity by its client id (a GUID).</summary>
    public static PartnerManagedIdentity UserAssigned(string? clientId)
    {
        try
        {
            return new PartnerManagedIdentity(PartnerClouds.NormalizeClientId(clientId));
        }
        catch (MdApiTokensException e)
        {
            throw new MdApiTokensException(e.ErrorId, e.Kind, "-IdentityClientId must be the user-assigned identity's client id: " + e.Message, null,
                "Copy the Client ID from the managed identity's Overview page.");
        }
    }

    /// <summary>
    /// A token of this identity for the Defender API of <paramref name="cloud"/>, or the one resource of
    /// <paramref name="scopes"/>; the tenant is the identity's own.
    /// </summary>
    /// <exception cref="MdApiTokensException">No managed identity here, the endpoint refused, or the scopes are not one resource.</exception>
    public async Task<PartnerTokenResult> AcquireTokenAsync(IReadOnlyList<string>? scopes, AzureCloud cloud, bool forceRefresh, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var normalized = PartnerApplication.NormalizeScopes(scopes, cloud);
        if (normalized.Length != 1)
        {
            throw new MdApiTokensException(PartnerAccessErrors.ScopeInvalid, ErrorKind.InvalidArgument,
                $"A managed identity token is for one resource; {normalized.Length} scopes were given.", string.Join(" ", normalized),
                "Ask for one token per resource (one -Scope each).");
        }

        var result = await AcquireAsync(normalized[0], forceRefresh, timeout, cancellationToken).ConfigureAwait(false);
        var claims = BearerToken.TryDecode(result.AccessToken);
        var token = new PartnerAccessToken(result.AccessToken, result.TokenType ?? "Bearer", result.ExpiresOn,
            claims?.TenantId ?? "", claims?.AppId ?? ClientId ?? "", normalized, cloud);
        return new PartnerTokenResult(token, result.AuthenticationResultMetadata?.TokenSource == TokenSource.Cache);
    }

    /// <summary>This identity's token for the token exchange audience of <paramref name="cloud"/>: a federated credential's client assertion.</summary>
    internal async Task<string> AcquireAssertionAsync(AzureCloud cloud, CancellationToken cancellationToken)
    {
        var result = await AcquireAsync(CloudTable.For(cloud).TokenExchangeAudience, forceRefresh: false, PartnerTokenRequest.DefaultTimeout, cancellationToken).ConfigureAwait(false);
        return result.AccessToken;
    }

    private async Task<AuthenticationResult> AcquireAsync(string resource, bool forceRefresh, TimeSpan timeout, CancellationToken cancellationToken)
    {
        // MSAL takes the resource; a /.default scope names the same one.
        var target = resource.EndsWith("/.default", StringComparison.OrdinalIgnoreCase) ? resource.Substring(0, resource.Length - "/.default".Length) : resource;
        using var deadline = new CancellationTokenSource();
        if (timeout != Timeout.InfiniteTimeSpan)
        {
            deadline.CancelAfter(timeout);
        }

        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        try
        {
            return await Application().AcquireTokenForManagedIdentity(target)
                .WithForceRefresh(forceRefresh)
                .ExecuteAsync(linked.Token)
                .ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw PartnerIdentityErrors.IdentityTimeout(this, timeout);
        }
        catch (Exception e) when (e is MsalException or HttpRequestException && !cancellationToken.IsCancellationRequested)
        {
            throw PartnerIdentityErrors.FromManagedIdentity(e, this, target);
        }
    }

    private IManagedIdentityApplication Application()
    {
        var key = ClientId ?? "";
        lock (s_applications)
        {
            if (!s_applications.TryGetValue(key, out var application))
            {
                var id = ClientId is null ? ManagedIdentityId.SystemAssigned : ManagedIdentityId.WithUserAssignedClientId(ClientId);
                application = ManagedIdentityApplicationBuilder.Create(id).Build();
                s_applications[key] = application;
            }

            return application;
        }
    }

    /// <summary>The identities' fingerprint in the partner token client's cache.</summary>
    internal string Fingerprint(AzureCloud cloud) => "managed-identity:" + (ClientId ?? "system") + ":" + CloudTable.For(cloud).TokenExchangeAudience;

    public override string ToString() => Description;
}
