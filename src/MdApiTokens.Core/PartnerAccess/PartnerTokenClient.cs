using System;
using System.Collections.Generic;
using System.Linq;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using MdApiTokens.Core.Shared;
using Microsoft.Identity.Client;

namespace MdApiTokens.Core.PartnerAccess;

/// <summary>
/// Gets app-only tokens for customer tenants through MSAL (confidential client, client credentials). It keeps one
/// confidential client per authority host, tenant, application and credential, so MSAL's in-memory token cache answers
/// repeat requests until a token is within five minutes of expiry; <see cref="Shared"/> is the process-wide instance
/// the cmdlets use.
/// </summary>
public sealed class PartnerTokenClient
{
    private readonly Dictionary<string, IConfidentialClientApplication> _clients = new(StringComparer.Ordinal);

    /// <summary>The client (and so the token cache) shared by everything in this process.</summary>
    public static PartnerTokenClient Shared { get; } = new();

    /// <summary>
    /// Gets a token for <paramref name="request"/>: from the cache when it holds one valid for more than five minutes
    /// (unless <see cref="PartnerTokenRequest.ForceRefresh"/>), otherwise from the identity platform.
    /// </summary>
    /// <exception cref="PartnerAccessException">The platform refused the request, could not be reached, or did not answer in time.</exception>
    /// <exception cref="MdApiTokensException">The tenant, application id, authority host or scopes are not valid.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public async Task<PartnerTokenResult> AcquireTokenAsync(PartnerTokenRequest request, CancellationToken cancellationToken = default)
    {
        if (request is null)
        {
            throw new ArgumentNullException(nameof(request));
        }

        var tenant = PartnerClouds.NormalizeTenantId(request.TenantId);
        var clientId = PartnerClouds.NormalizeClientId(request.ClientId);
        var customHost = request.AuthorityHost is null ? null : PartnerClouds.ValidateAuthorityHost(request.AuthorityHost);
        var host = customHost ?? PartnerClouds.AuthorityHost(request.Cloud);
        var scopes = NormalizeScopes(request.Scopes, request.Cloud);
        if (request.Timeout <= TimeSpan.Zero && request.Timeout != System.Threading.Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(nameof(request), "The timeout must be positive.");
        }

        var context = new PartnerTokenErrors.Context(tenant, clientId, request.Cloud, host, customHost, scopes, request.Credential, request.Timeout);
        var client = GetOrCreateClient(host, tenant, clientId, request.Credential);

        using var timeout = new CancellationTokenSource();
        if (request.Timeout != System.Threading.Timeout.InfiniteTimeSpan)
        {
            timeout.CancelAfter(request.Timeout);
        }

        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        AuthenticationResult result;
        try
        {
            result = await client.AcquireTokenForClient(scopes)
                .WithForceRefresh(request.ForceRefresh)
                .ExecuteAsync(linked.Token)
                .ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw PartnerTokenErrors.Timeout(context, request.Timeout);
        }
        catch (MsalException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw PartnerIdentityErrors.FromTokenEndpoint(e, context) ?? PartnerTokenErrors.FromMsal(e, context);
        }
        catch (HttpRequestException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw PartnerTokenErrors.Unreachable(context, e);
        }
        catch (System.Text.Json.JsonException) when (!cancellationToken.IsCancellationRequested)
        {
            throw PartnerTokenErrors.ResponseInvalid(context, "the body is not JSON");
        }

        if (string.IsNullOrEmpty(result.AccessToken))
        {
            throw PartnerTokenErrors.ResponseInvalid(context, "no access_token");
        }

        var token = new PartnerAccessToken(result.AccessToken, result.TokenType ?? "Bearer", result.ExpiresOn, tenant, clientId, result.Scopes ?? scopes, request.Cloud)
        {
            Authority = PartnerClouds.Authority(host, tenant),
        };
        return new PartnerTokenResult(token, result.AuthenticationResultMetadata?.TokenSource == TokenSource.Cache);
    }

    /// <summary>The scopes to request: the cloud's Defender scope by default; each must be a resource's /.default scope.</summary>
    public static string[] NormalizeScopes(IEnumerable<string>? scopes, AzureCloud cloud)
    {
        var list = (scopes ?? Enumerable.Empty<string>()).Where(s => !string.IsNullOrWhiteSpace(s)).Select(s => s.Trim()).Distinct(StringComparer.OrdinalIgnoreCase).ToArray();
        if (list.Length == 0)
        {
            return new[] { PartnerClouds.DefaultScope(cloud) };
        }

        foreach (var scope in list)
        {
            if (!scope.EndsWith("/.default", StringComparison.OrdinalIgnoreCase))
            {
                var suggestion = scope.EndsWith(".default", StringComparison.OrdinalIgnoreCase)
                    ? scope.Substring(0, scope.Length - ".default".Length).TrimEnd('/') + "/.default"
                    : scope.TrimEnd('/') + "/.default";
                throw new MdApiTokensException(PartnerAccessErrorIds.ScopeInvalid, ErrorKind.InvalidArgument,
                    $"The scope '{scope}' cannot be used for an app-only token: client credentials take a resource's /.default scope.", scope,
                    $"Use '{suggestion}' (the permissions come from the application's API permissions, not from the scope).");
            }
        }

        return list;
    }

    private IConfidentialClientApplication GetOrCreateClient(Uri host, string tenant, string clientId, PartnerCredential credential)
    {
        var key = string.Join("|", host.AbsoluteUri, tenant, clientId, credential.Fingerprint);
        lock (_clients)
        {
            if (_clients.TryGetValue(key, out var existing))
            {
                return existing;
            }

            var builder = ConfidentialClientApplicationBuilder.Create(clientId)
                .WithAuthority(PartnerClouds.Authority(host, tenant).AbsoluteUri);
            if (!CloudTable.IsKnownSignInHost(host.Host))
            {
                // MSAL would otherwise ask the worldwide sign-in host to validate an authority it does not know.
                builder = builder.WithInstanceDiscovery(false);
            }

            IConfidentialClientApplication client;
            try
            {
                client = credential.Apply(builder).Build();
            }
            catch (ArgumentException e)
            {
                throw new MdApiTokensException(PartnerAccessErrorIds.AuthorityHostInvalid, ErrorKind.InvalidArgument,
                    $"MSAL cannot use the authority {PartnerClouds.Authority(host, tenant)}: {e.Message}", host.AbsoluteUri,
                    PartnerClouds.AuthorityHostAdvice);
            }

            credential.TransferToClient();
            _clients[key] = client;
            return client;
        }
    }
}
