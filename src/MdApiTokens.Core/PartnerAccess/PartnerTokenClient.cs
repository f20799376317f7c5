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
    /// <exception cref="MdApiTokensException">The tenant is not valid.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public async Task<PartnerTokenResult> AcquireTokenAsync(PartnerTokenRequest request, CancellationToken cancellationToken = default)
    {
        if (request is null)
        {
            throw new ArgumentNullException(nameof(request));
        }

        var tenant = PartnerClouds.NormalizeTenantId(request.TenantId);
        var application = request.Application;
        if (request.Timeout <= TimeSpan.Zero && request.Timeout != System.Threading.Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(nameof(request), "The timeout must be positive.");
        }

        var context = new PartnerAccessErrors.Context(tenant, application, request.Timeout);
        var client = GetOrCreateClient(application, tenant);

        using var timeout = new CancellationTokenSource();
        if (request.Timeout != System.Threading.Timeout.InfiniteTimeSpan)
        {
            timeout.CancelAfter(request.Timeout);
        }

        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        AuthenticationResult result;
        try
        {
            result = await client.AcquireTokenForClient(application.Scopes)
                .WithForceRefresh(request.ForceRefresh)
                .ExecuteAsync(linked.Token)
                .ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw PartnerAccessErrors.Timeout(context, request.Timeout);
        }
        catch (MsalException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw PartnerIdentityErrors.FromTokenEndpoint(e, context) ?? PartnerAccessErrors.FromMsal(e, context);
        }
        catch (HttpRequestException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw PartnerAccessErrors.Unreachable(context, e);
        }
        catch (System.Text.Json.JsonException) when (!cancellationToken.IsCancellationRequested)
        {
            throw PartnerAccessErrors.ResponseInvalid(context, "the body is not JSON");
        }

        if (string.IsNullOrEmpty(result.AccessToken))
        {
            throw PartnerAccessErrors.ResponseInvalid(context, "no access_token");
        }

        var token = new PartnerAccessToken(result.AccessToken, result.TokenType ?? "Bearer", result.ExpiresOn, tenant, application.ClientId, result.Scopes ?? application.Scopes, application.Cloud)
        {
            Authority = PartnerClouds.Authority(application.AuthorityHost, tenant),
            AuthorityHost = application.CustomAuthorityHost,
        };
        return new PartnerTokenResult(token, result.AuthenticationResultMetadata?.TokenSource == TokenSource.Cache);
    }

    private IConfidentialClientApplication GetOrCreateClient(PartnerApplication application, string tenant)
    {
        var (host, clientId, credential) = (application.AuthorityHost, application.ClientId, application.Credential);
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
                throw new MdApiTokensException(PartnerAccessErrors.AuthorityHostInvalid, ErrorKind.InvalidArgument,
                    $"MSAL cannot use the authority {PartnerClouds.Authority(host, tenant)}: {e.Message}", host.AbsoluteUri,
                    PartnerClouds.AuthorityHostAdvice);
            }

            credential.TransferToClient();
            _clients[key] = client;
            return client;
        }
    }
}
