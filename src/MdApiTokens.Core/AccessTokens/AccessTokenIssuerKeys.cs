using System;
using System.Collections.Generic;
using System.IO;
using System.Net.Http;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using MdApiTokens.Core.Shared;

namespace MdApiTokens.Core.AccessTokens;

/// <summary>
/// The signing keys an issuing authority publishes, found through its OpenID configuration
/// (<c>{sign-in host}/{tid}/v2.0/.well-known/openid-configuration</c>, or <c>{sign-in host}/{tid}/.well-known/openid-configuration</c>
/// for v1 issuers) and cached in this process per <c>jwks_uri</c>. A token naming a key the cache does not hold refreshes
/// the keys at most once per <see cref="RefreshInterval"/>. Bodies are read up to <see cref="MaxBodyBytes"/>; each request,
/// body included, ends within the timeout it is given. Thread-safe.
/// </summary>
public sealed class AccessTokenIssuerKeys : IDisposable
{
    /// <summary>The shortest time between two fetches of a key set for an unknown kid.</summary>
    public static readonly TimeSpan RefreshInterval = TimeSpan.FromMinutes(5);

    /// <summary>How long metadata and keys are used before they are fetched again anyway.</summary>
    public static readonly TimeSpan MaxAge = TimeSpan.FromHours(24);

    /// <summary>How long one request for metadata or keys may take, body included, unless the options say otherwise.</summary>
    public static readonly TimeSpan DefaultRequestTimeout = TimeSpan.FromSeconds(10);

    /// <summary>The largest metadata or key set body read; the identity platform's are a few kilobytes.</summary>
    public const int MaxBodyBytes = AccessTokenSigningKeys.MaxJwksBytes;

    private static readonly Lazy<AccessTokenIssuerKeys> s_shared = new(() => new AccessTokenIssuerKeys(new HttpClientHandler { AllowAutoRedirect = false }));

    private readonly HttpClient _http;
    private readonly Dictionary<string, (AuthorityMetadata Metadata, DateTimeOffset FetchedAt)> _metadata = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (AccessTokenSigningKeys Keys, DateTimeOffset FetchedAt)> _keys = new(StringComparer.Ordinal);

    /// <param name="handler">Sends the requests (redirects should not be followed); not disposed with this object.</param>
    public AccessTokenIssuerKeys(HttpMessageHandler handler) =>
        _http = new HttpClient(handler ?? throw new ArgumentNullException(nameof(handler)), disposeHandler: false) { Timeout = Timeout.InfiniteTimeSpan };

    /// <summary>The cache shared by everything in this process.</summary>
    public static AccessTokenIssuerKeys Shared => s_shared.Value;

    public void Dispose() => _http.Dispose();

    /// <summary>The OpenID configuration address for a token with issuer <paramref name="issuer"/> in tenant <paramref name="tenantId"/>.</summary>
    internal static Uri MetadataAddress(Uri signInHost, string tenantId, string issuer) =>
        new(signInHost, Uri.EscapeDataString(tenantId) + (issuer.TrimEnd('/').EndsWith("/v2.0", StringComparison.Ordinal) ? "/v2.0" : "") + "/.well-known/openid-configuration");

    /// <summary>The issuer's metadata and keys with <paramref name="kid"/> (all keys when null), or a failure saying why.</summary>
    internal async Task<IssuerKeysResult> GetAsync(Uri signInHost, string tenantId, string issuer, string? kid, IClock clock, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var metadataAddress = MetadataAddress(signInHost, tenantId, issuer);
        var now = clock.UtcNow;
        AuthorityMetadata metadata;
        bool cached;
        lock (_metadata)
        {
            cached = _metadata.TryGetValue(metadataAddress.AbsoluteUri, out var entry) && now - entry.FetchedAt < MaxAge;
            metadata = entry.Metadata;
        }

        if (!cached)
        {
            var (body, problem) = await FetchAsync(metadataAddress, timeout, cancellationToken).ConfigureAwait(false);
            if (problem is not null)
            {
                return IssuerKeysResult.Failure($"the authority's OpenID configuration could not be read from {metadataAddress}: {problem}. Check -Cloud or -AuthorityHost, and the network path to the sign-in host");
            }

            var parsed = AuthorityMetadata.Parse(body!, metadataAddress, out problem);
            if (parsed is null)
            {
                return IssuerKeysResult.Failure($"{metadataAddress} is not the identity platform's OpenID configuration ({problem}). Check -AuthorityHost");
            }

            metadata = parsed;
            lock (_metadata)
            {
                _metadata[metadataAddress.AbsoluteUri] = (metadata, now);
            }
        }

        var jwksUri = metadata.JwksUri.AbsoluteUri;
        (AccessTokenSigningKeys Keys, DateTimeOffset FetchedAt) keys;
        bool haveKeys;
        lock (_keys)
        {
            haveKeys = _keys.TryGetValue(jwksUri, out keys) && now - keys.FetchedAt < MaxAge;
        }

        var stale = haveKeys && keys.Keys.Candidates(kid).Count == 0 && now - keys.FetchedAt >= RefreshInterval;
        if (!haveKeys || stale)
        {
            var (body, problem) = await FetchAsync(metadata.JwksUri, timeout, cancellationToken).ConfigureAwait(false);
            if (problem is not null)
            {
                return IssuerKeysResult.Failure($"the signing keys could not be read from {metadata.JwksUri}: {problem}");
            }

            AccessTokenSigningKeys fetched;
            try
            {
                fetched = AccessTokenSigningKeys.FromJson(body!, metadata.JwksUri.AbsoluteUri);
            }
            catch (MdApiTokensException e)
            {
                return IssuerKeysResult.Failure(e.Message.TrimEnd('.'));
            }

            keys = (fetched, now);
            lock (_keys)
            {
                _keys[jwksUri] = keys;
            }
        }

        return new IssuerKeysResult(metadata, keys.Keys, keys.FetchedAt, null);
    }

    private async Task<(string? Body, string? Problem)> FetchAsync(Uri address, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, address);
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, deadline.Token).ConfigureAwait(false);
            if ((int)response.StatusCode != 200)
            {
                return (null, $"HTTP {(int)response.StatusCode} {response.ReasonPhrase}");
            }

            if (response.Content.Headers.ContentLength is > MaxBodyBytes)
            {
                return (null, $"the answer is {response.Content.Headers.ContentLength} bytes, more than the {MaxBodyBytes / 1024} KiB read");
            }

            // Not every runtime's stream honours the token while a body stalls; disposing the response always ends the read.
            using var abort = deadline.Token.Register(response.Dispose);
            using var stream = await response.Content.ReadAsStreamAsync().ConfigureAwait(false);
            using var buffer = new MemoryStream();
            var chunk = new byte[16 * 1024];
            int read;
            while ((read = await stream.ReadAsync(chunk, 0, chunk.Length, deadline.Token).ConfigureAwait(false)) > 0)
            {
                if (buffer.Length + read > MaxBodyBytes)
                {
                    return (null, $"the answer is more than the {MaxBodyBytes / 1024} KiB read");
                }

                buffer.Write(chunk, 0, read);
            }

            return (new UTF8Encoding(false).GetString(buffer.GetBuffer(), 0, (int)buffer.Length), null);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return (null, $"no complete answer within {timeout.TotalSeconds:0.#} seconds");
        }
        catch (Exception e) when (e is HttpRequestException or IOException or ObjectDisposedException)
        {
            return (null, (e.InnerException ?? e).Message.TrimEnd('.'));
        }
    }
}

/// <summary>What an authority's OpenID configuration says: who it is and where its keys are.</summary>
internal sealed record AuthorityMetadata(string Issuer, Uri JwksUri)
{
    /// <summary>Reads the issuer and jwks_uri; the keys must live on the host that served the metadata.</summary>
    public static AuthorityMetadata? Parse(string json, Uri from, out string? problem)
    {
        problem = null;
        try
        {
            using var document = JsonDocument.Parse(json);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object
                || !root.TryGetProperty("issuer", out var issuer) || issuer.ValueKind != JsonValueKind.String
                || !root.TryGetProperty("jwks_uri", out var jwks) || jwks.ValueKind != JsonValueKind.String)
            {
                problem = "no issuer and jwks_uri";
                return null;
            }

            if (!Uri.TryCreate(jwks.GetString(), UriKind.Absolute, out var jwksUri) || jwksUri.Scheme != Uri.UriSchemeHttps
                || !string.Equals(jwksUri.Host, from.Host, StringComparison.OrdinalIgnoreCase) || jwksUri.Port != from.Port)
            {
                problem = "its jwks_uri is not an https address on the same host";
                return null;
            }

            return new AuthorityMetadata(issuer.GetString()!, jwksUri);
        }
        catch (JsonException)
        {
            problem = "the answer is not JSON";
            return null;
        }
    }
}

/// <summary>The keys found for a token, or why none could be.</summary>
internal sealed record IssuerKeysResult(AuthorityMetadata? Metadata, AccessTokenSigningKeys? Keys, DateTimeOffset FetchedAt, string? Problem)
{
    public static IssuerKeysResult Failure(string problem) => new(null, null, default, problem);
}
