using System;
using System.Globalization;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Threading;
using System.Threading.Tasks;

namespace MdApiTokens.Core.Defender;

/// <summary>
/// The Microsoft 365 Defender incidents API for one tenant's access token: get, list (paged, see
/// <see cref="DefenderIncidentPager"/>) and update incidents, sent through the paced, retrying
/// <see cref="DefenderApiTransport"/>; every failure is a <see cref="DefenderApiException"/> a person can act on.
/// </summary>
public sealed class DefenderIncidentClient : IDisposable
{
    private readonly DefenderApiTransport _transport;

    /// <param name="apiBase">The API base (see <see cref="DefenderApiEndpoint"/>).</param>
    /// <param name="accessToken">The bearer token (a leading "Bearer " is ignored).</param>
    /// <param name="tenantId">The tenant the token is for; read from its tid claim when null.</param>
    /// <param name="handler">Sends the requests; not disposed with the client, so one handler can serve many clients.</param>
    public DefenderIncidentClient(Uri apiBase, string accessToken, string? tenantId, HttpMessageHandler handler, DefenderClientOptions? options = null)
    {
        _transport = new DefenderApiTransport(apiBase, accessToken, tenantId, handler, options);
    }

    /// <summary>The API base requests go to, ending in '/'.</summary>
    public Uri ApiBase => _transport.ApiBase;

    /// <summary>The tenant the token is for (given, or from its tid claim); null when neither says.</summary>
    public string? TenantId => _transport.TenantId;

    internal DefenderApiTransport Transport => _transport;

    /// <summary>Reads one incident; a 404 is a <see cref="DefenderErrors.IncidentNotFound"/> error.</summary>
    public async Task<DefenderIncident> GetIncidentAsync(long incidentId, CancellationToken cancellationToken)
    {
        var incident = await _transport.SendAsync(HttpMethod.Get, IncidentUri(incidentId), null, DefenderOperation.GetIncident(incidentId), ReadIncidentAsync, cancellationToken).ConfigureAwait(false);
        return Label(incident ?? throw new InvalidOperationException("A GET answered without a body."));
    }

    /// <summary>A pager over the incidents <paramref name="query"/> selects; nothing is requested until its first page is asked for.</summary>
    public DefenderIncidentPager ListIncidents(DefenderIncidentQuery query)
    {
        (query ?? throw new ArgumentNullException(nameof(query))).Validate();
        return new DefenderIncidentPager(this, query);
    }

    /// <summary>Applies <paramref name="update"/> to an incident and returns the incident as the API returns it afterwards.</summary>
    public async Task<DefenderIncident> UpdateIncidentAsync(long incidentId, DefenderIncidentUpdate update, CancellationToken cancellationToken)
    {
        (update ?? throw new ArgumentNullException(nameof(update))).Validate();
        var incident = await _transport.SendAsync(new HttpMethod("PATCH"), IncidentUri(incidentId), update.ToJson(), DefenderOperation.UpdateIncident(incidentId), ReadIncidentAsync, cancellationToken).ConfigureAwait(false);

        // Documented to return the updated incident; if a server answers 204 instead, read it back.
        return incident is null ? await GetIncidentAsync(incidentId, cancellationToken).ConfigureAwait(false) : Label(incident);
    }

    public void Dispose() => _transport.Dispose();

    public override string ToString() => $"Defender incidents API at {ApiBase} for tenant {TenantId ?? "(unknown)"}";

    internal Uri ListUri(string? filter, int top, int skip)
    {
        var query = new StringBuilder();
        if (filter is not null)
        {
            query.Append("$filter=").Append(Uri.EscapeDataString(filter)).Append('&');
        }

        query.Append("$top=").Append(top.ToString(CultureInfo.InvariantCulture));
        if (skip > 0)
        {
            query.Append("&$skip=").Append(skip.ToString(CultureInfo.InvariantCulture));
        }

        return new Uri(ApiBase, "api/incidents?" + query);
    }

    internal async Task<IncidentPage> GetPageAsync(Uri uri, CancellationToken cancellationToken)
    {
        var page = await _transport.SendAsync(HttpMethod.Get, uri, null, DefenderOperation.ListIncidents, ReadPageAsync, cancellationToken).ConfigureAwait(false);
        foreach (var incident in page.Value!)
        {
            Label(incident);
        }

        return page;
    }

    internal void Log(string message) => _transport.Log(message);

    private async Task<IncidentPage> ReadPageAsync(DefenderApiResponse response, CancellationToken cancellationToken)
    {
        IncidentPage? page;
        try
        {
            page = await response.ReadJsonAsync(DefenderJsonContext.Default.IncidentPage, cancellationToken).ConfigureAwait(false);
        }
        catch (JsonException e)
        {
            throw Invalid(response, "is not a page of incidents: " + e.Message, e);
        }

        if (page?.Value is null || page.Value.Any(i => i is null))
        {
            throw Invalid(response, "has no \"value\" array of incidents");
        }

        return page;
    }

    // Null when the body is empty (a 204 to an update).
    private async Task<DefenderIncident?> ReadIncidentAsync(DefenderApiResponse response, CancellationToken cancellationToken)
    {
        if (response.Status == HttpStatusCode.NoContent || response.Message.Content.Headers.ContentLength == 0)
        {
            return null;
        }

        try
        {
            return await response.ReadJsonAsync(DefenderJsonContext.Default.DefenderIncident, cancellationToken).ConfigureAwait(false)
                ?? throw Invalid(response, "is null, not an incident");
        }
        catch (JsonException e)
        {
            throw Invalid(response, "is not an incident: " + e.Message, e);
        }
    }

    private DefenderApiException Invalid(DefenderApiResponse response, string problem, Exception? inner = null) =>
        DefenderErrors.InvalidResponse(response, problem, ApiBase, _transport.Target, inner);

    private DefenderIncident Label(DefenderIncident incident)
    {
        incident.TenantId = TenantId;
        incident.ApiUri = ApiBase;
        return incident;
    }

    private Uri IncidentUri(long incidentId) => new(ApiBase, "api/incidents/" + incidentId.ToString(CultureInfo.InvariantCulture));
}

/// <summary>A page of the list incidents response.</summary>
internal sealed class IncidentPage
{
    [JsonPropertyName("value")]
    [JsonConverter(typeof(DefenderArrayConverter<DefenderIncident>))]
    public DefenderIncident[]? Value { get; set; }

    [JsonPropertyName("@odata.nextLink")]
    public string? NextLink { get; set; }
}
