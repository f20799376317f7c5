using System;
using System.Collections.Generic;
using System.Globalization;
using System.Net.Http;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using System.Xml;

namespace MdApiTokens.Core.Defender;

/// <summary>
/// Runs advanced hunting queries for one tenant's access token: through the Microsoft 365 Defender API, or through
/// Microsoft Graph's runHuntingQuery when the token's audience is Graph. Calls go through the paced, retrying
/// <see cref="DefenderApiTransport"/>; use <see cref="ConfigureOptions"/> for hunting's own limits.
/// </summary>
public sealed class DefenderHuntingClient : IDisposable
{
    /// <summary>The most rows the API returns for one query.</summary>
    public const int MaxRows = 100_000;

    /// <summary>A little over the 124 MB the API returns at most for one query.</summary>
    public const long MaxResponseBytes = 128L * 1024 * 1024;

    /// <summary>The API stops a query after 3 minutes (200 s for the older endpoint); the answer is awaited a little longer.</summary>
    public static readonly TimeSpan RequestTimeout = TimeSpan.FromMinutes(4);

    private readonly DefenderApiTransport _transport;

    /// <param name="defenderApi">The Defender API base (see <see cref="DefenderApiEndpoint"/>), used for a Defender API token.</param>
    /// <param name="graphApi">The Graph base (see <see cref="MicrosoftGraphEndpoint"/>), used when the token's audience is Microsoft Graph.</param>
    public DefenderHuntingClient(Uri defenderApi, Uri graphApi, string accessToken, string? tenantId, HttpMessageHandler handler, DefenderClientOptions? options = null)
    {
        var transport = new DefenderApiTransport(defenderApi, accessToken, tenantId, handler, options);
        if (transport.Claims is { } claims && MicrosoftGraphEndpoint.IsGraphAudience(claims.Audience))
        {
            transport.Dispose();
            transport = new DefenderApiTransport(graphApi, accessToken, tenantId, handler, options);
            Route = DefenderHuntingRoute.MicrosoftGraph;
        }

        _transport = transport;
    }

    /// <summary>The pacer hunting calls share by default: 45 calls a minute and 1,500 an hour per API host and tenant, as documented.</summary>
    public static DefenderRequestPacer SharedPacer { get; } = new(new DefenderRateLimit(45, TimeSpan.FromMinutes(1)), new DefenderRateLimit(1500, TimeSpan.FromHours(1)));

    public DefenderHuntingRoute Route { get; }

    /// <summary>The base the query goes to: the Defender API's or Graph's.</summary>
    public Uri ApiBase => _transport.ApiBase;

    public string? TenantId => _transport.TenantId;

    /// <summary>Sets hunting's limits on <paramref name="options"/>: its pacer (unless one is given), the request timeout and the response size.</summary>
    public static DefenderClientOptions ConfigureOptions(DefenderClientOptions options, DefenderRequestPacer? pacer, TimeSpan? requestTimeout)
    {
        options.Pacer = pacer ?? SharedPacer;
        options.RequestTimeout = requestTimeout ?? RequestTimeout;
        options.MaxResponseBytes = MaxResponseBytes;
        return options;
    }

    /// <summary>
    /// Runs <paramref name="query"/> and returns the tenant's result set; <paramref name="makeRow"/> turns each row's
    /// typed (name, value) pairs, in column order, into the object the caller wants.
    /// </summary>
    /// <param name="timespan">Graph only: how far back the query looks.</param>
    public async Task<DefenderHuntingResult> RunAsync(string query, TimeSpan? timespan, Func<IReadOnlyList<KeyValuePair<string, object?>>, object> makeRow, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(query))
        {
            throw DefenderHuntingErrors.QueryEmpty();
        }

        if (timespan <= TimeSpan.Zero)
        {
            throw DefenderHuntingErrors.TimespanNotPositive(timespan.Value);
        }

        if (timespan is not null && Route == DefenderHuntingRoute.DefenderApi)
        {
            throw DefenderHuntingErrors.TimespanWithDefenderToken(_transport.Target);
        }

        var (uri, body) = Request(query, timespan);
        _transport.Log($"Running an advanced hunting query through {(Route == DefenderHuntingRoute.MicrosoftGraph ? "Microsoft Graph" : "the Defender API")} for tenant {TenantId ?? "(unknown)"}.");
        var operation = new DefenderOperation("run an advanced hunting query", "AdvancedHunting.Read.All", "Check the query.");
        try
        {
            return await _transport.SendAsync(HttpMethod.Post, uri, body, operation, (response, token) => ReadAsync(response, makeRow, token), cancellationToken).ConfigureAwait(false);
        }
        catch (DefenderApiException e)
        {
            throw DefenderHuntingErrors.Rephrase(e, Route, query, _transport.Target);
        }
    }

    public void Dispose() => _transport.Dispose();

    public override string ToString() => $"Advanced hunting through {Route} at {ApiBase} for tenant {TenantId ?? "(unknown)"}";

    private (Uri Uri, byte[] Body) Request(string query, TimeSpan? timespan)
    {
        var body = new Dictionary<string, string> { ["Query"] = query };
        if (timespan is { } span)
        {
            body["Timespan"] = XmlConvert.ToString(span);
        }

        var path = Route == DefenderHuntingRoute.MicrosoftGraph ? "v1.0/security/runHuntingQuery" : "api/advancedhunting/run";
        return (new Uri(ApiBase, path), JsonSerializer.SerializeToUtf8Bytes(body));
    }

    private async Task<DefenderHuntingResult> ReadAsync(DefenderApiResponse response, Func<IReadOnlyList<KeyValuePair<string, object?>>, object> makeRow, CancellationToken cancellationToken)
    {
        JsonDocument document;
        try
        {
            document = await JsonDocument.ParseAsync(response.Body, default, cancellationToken).ConfigureAwait(false);
        }
        catch (JsonException e)
        {
            throw DefenderErrors.InvalidResponse(response, "is not a hunting result: " + e.Message, ApiBase, _transport.Target, e);
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !TryGet(root, "Results", out var results) || results.ValueKind != JsonValueKind.Array)
            {
                throw DefenderErrors.InvalidResponse(response, "has no \"Results\" array of rows", ApiBase, _transport.Target);
            }

            var count = results.GetArrayLength();
            if (count > MaxRows)
            {
                throw DefenderHuntingErrors.TooManyRows(count, _transport.Target);
            }

            var columns = ReadSchema(root);
            var reader = new HuntingRowReader(columns);
            var rows = new List<object>(count);
            foreach (var row in results.EnumerateArray())
            {
                if (row.ValueKind != JsonValueKind.Object)
                {
                    throw DefenderErrors.InvalidResponse(response, $"has a row that is {row.ValueKind}, not an object", ApiBase, _transport.Target);
                }

                rows.Add(makeRow(reader.Read(row)));
            }

            var statistics = TryGet(root, "Stats", out var stats) && stats.ValueKind == JsonValueKind.Object
                ? (IReadOnlyDictionary<string, object?>)JsonValues.ToPlain(stats)!
                : new Dictionary<string, object?>();
            _transport.Log($"{rows.Count.ToString(CultureInfo.InvariantCulture)} row(s) of {columns.Count.ToString(CultureInfo.InvariantCulture)} column(s) from tenant {TenantId ?? "(unknown)"}.");
            return new DefenderHuntingResult(TenantId, Route, ApiBase, columns, rows, statistics, reader.Notes());
        }
    }

    // Each column as {"Name","Type"} (Defender) or {"name","type"} (Graph); an entry without a name is skipped.
    private static List<DefenderHuntingColumn> ReadSchema(JsonElement root)
    {
        var columns = new List<DefenderHuntingColumn>();
        if (!TryGet(root, "Schema", out var schema) || schema.ValueKind != JsonValueKind.Array)
        {
            return columns;
        }

        foreach (var column in schema.EnumerateArray())
        {
            if (column.ValueKind == JsonValueKind.Object && TryGet(column, "Name", out var name) && name.ValueKind == JsonValueKind.String && name.GetString() is { Length: > 0 } text)
            {
                var type = TryGet(column, "Type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString()! : "";
                columns.Add(new DefenderHuntingColumn(text, type));
            }
        }

        return columns;
    }

    internal static bool TryGet(JsonElement element, string name, out JsonElement value)
    {
        if (element.TryGetProperty(name, out value))
        {
            return true;
        }

        foreach (var property in element.EnumerateObject())
        {
            if (string.Equals(property.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                value = property.Value;
                return true;
            }
        }

        return false;
    }
}
