using System;
using System.Collections.Generic;
using System.Net;
using System.Net.Http;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using MdApiTokens.Core.Shared;

namespace MdApiTokens.Core.Defender;

/// <summary>
/// Any call to a Defender API for one tenant's access token, sent through the paced, retrying
/// <see cref="DefenderApiTransport"/> (a write is retried only when the API says it did not process it). JSON answers
/// come back as plain values (dictionaries, arrays, strings, numbers); <see cref="ListAll"/> follows @odata.nextLink.
/// </summary>
public sealed class DefenderApiRequestClient : IDisposable
{
    private readonly DefenderApiTransport _transport;

    /// <param name="apiBase">The base the requests go to (see <see cref="DefenderApiRequest.Resolve"/>); every request and next link must stay on its origin.</param>
    public DefenderApiRequestClient(Uri apiBase, string accessToken, string? tenantId, HttpMessageHandler handler, DefenderClientOptions? options = null)
    {
        _transport = new DefenderApiTransport(apiBase, accessToken, tenantId, handler, options);
    }

    public Uri ApiBase => _transport.ApiBase;

    public string? TenantId => _transport.TenantId;

    /// <summary>
    /// Sends one request and returns its answer: JSON as plain values (objects as dictionaries), other text as a string,
    /// and null for an empty answer (204).
    /// </summary>
    public async Task<object?> SendAsync(HttpMethod method, Uri uri, byte[]? body, CancellationToken cancellationToken)
    {
        var request = $"the request {method} {uri.AbsolutePath}";
        var operation = new DefenderOperation($"answer {method} {uri.AbsolutePath}", "the permission the endpoint documents", "Check the request.");
        try
        {
            return await _transport.SendAsync(method, uri, body, operation, ReadAsync, cancellationToken).ConfigureAwait(false);
        }
        catch (DefenderApiException e)
        {
            throw DefenderApiRequestErrors.Rephrase(e, request, _transport.Target);
        }
    }

    /// <summary>
    /// Pages from the request <paramref name="method"/> <paramref name="first"/> on, following @odata.nextLink with GET;
    /// nothing is requested until the first page is asked for.
    /// </summary>
    public DefenderApiRequestPager ListAll(HttpMethod method, Uri first, byte[]? body) => new(this, method, first, body);

    public void Dispose() => _transport.Dispose();

    public override string ToString() => $"Defender API at {ApiBase} for tenant {TenantId ?? "(unknown)"}";

    internal object Target => _transport.Target;

    internal void Log(string message) => _transport.Log(message);

    private async Task<object?> ReadAsync(DefenderApiResponse response, CancellationToken cancellationToken)
    {
        if (response.Status == HttpStatusCode.NoContent || response.Message.Content.Headers.ContentLength == 0)
        {
            return null;
        }

        var json = response.ContentType is null || response.ContentType.EndsWith("json", StringComparison.OrdinalIgnoreCase);
        if (json)
        {
            try
            {
                using var document = await JsonDocument.ParseAsync(response.Body, default, cancellationToken).ConfigureAwait(false);
                return JsonValues.ToPlain(document.RootElement);
            }
            catch (JsonException) when (response.BytesRead == 0)
            {
                return null;
            }
            catch (JsonException e)
            {
                throw DefenderErrors.InvalidResponse(response, "is not JSON: " + e.Message, ApiBase, _transport.Target, e);
            }
        }

        using var reader = new System.IO.StreamReader(response.Body, Encoding.UTF8);
        return await reader.ReadToEndAsync().ConfigureAwait(false);
    }
}

/// <summary>
/// The pages of a listing: each call returns the next page's <c>value</c> items (or the whole answer when it has no
/// <c>value</c> array), and null once a page came without @odata.nextLink. A link to another origin, or the same link
/// twice, ends the listing with an error after the page that carried it.
/// </summary>
public sealed class DefenderApiRequestPager
{
    private readonly DefenderApiRequestClient _client;
    private readonly HashSet<string> _visited = new(StringComparer.Ordinal);
    private HttpMethod _method;
    private byte[]? _body;
    private Uri? _next;

    internal DefenderApiRequestPager(DefenderApiRequestClient client, HttpMethod method, Uri first, byte[]? body)
    {
        _client = client;
        _method = method;
        _body = body;
        _next = first;
    }

    public int PagesRead { get; private set; }

    public async Task<IReadOnlyList<object?>?> NextPageAsync(CancellationToken cancellationToken)
    {
        if (_next is not { } uri)
        {
            return null;
        }

        if (!_visited.Add(uri.AbsoluteUri))
        {
            throw new DefenderApiException(DefenderErrors.ResponseInvalid, ErrorKind.InvalidData,
                $"The API's @odata.nextLink points at a page already read ({uri.AbsolutePath}); stopping instead of listing it forever.", _client.Target,
                "Leave out -All and page with the endpoint's own query options ($top, $skip).");
        }

        if (!DefenderApiEndpoint.IsSameOrigin(_client.ApiBase, uri))
        {
            throw DefenderErrors.NextLinkAway(_client.ApiBase, _client.Target);
        }

        var answer = await _client.SendAsync(_method, uri, _body, cancellationToken).ConfigureAwait(false);
        PagesRead++;
        _next = null;
        _method = HttpMethod.Get;
        _body = null;
        if (answer is not IDictionary<string, object?> page || !page.TryGetValue("value", out var value) || value is not object?[] items)
        {
            return answer is null ? Array.Empty<object?>() : answer is object?[] array ? array : new[] { answer };
        }

        if (page.TryGetValue("@odata.nextLink", out var link) && link is string text && text.Length > 0)
        {
            _next = Uri.TryCreate(uri, text, out var resolved) ? resolved : throw new DefenderApiException(DefenderErrors.ResponseInvalid, ErrorKind.InvalidData,
                "The API's @odata.nextLink is not an address.", _client.Target, "Leave out -All and page with the endpoint's own query options.");
            _client.Log($"Page {PagesRead}: {items.Length} item(s); the next page follows.");
        }

        return items;
    }
}
