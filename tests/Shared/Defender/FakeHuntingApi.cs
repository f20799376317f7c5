using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using MdApiTokens.Tests.Shared;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace MdApiTokens.Testing.Defender;

/// <summary>
/// Advanced hunting and generic Defender endpoints on 127.0.0.1 (Kestrel, plain http): the Defender API's
/// POST /api/advancedhunting/run (Schema/Results/Stats, Dynamic as JSON text) and Microsoft Graph's
/// POST /v1.0/security/runHuntingQuery (schema/results, Dynamic as nested JSON), each answering with the rows of the
/// tenant named by the bearer token's tid; and GET /api/machines, served in <see cref="Pages"/> linked by
/// @odata.nextLink. One-shot responses queued in <see cref="Next"/> come first.
/// </summary>
public sealed class FakeHuntingApi : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<RecordedRequest> _requests = new();

    private FakeHuntingApi(WebApplication app, Uri baseUri)
    {
        _app = app;
        BaseUri = baseUri;
    }

    public Uri BaseUri { get; }

    /// <summary>The columns every tenant's result has, as (name, type).</summary>
    public List<(string Name, string Type)> Schema { get; } = new()
    {
        ("Timestamp", "DateTime"), ("DeviceName", "String"), ("ProcessCount", "Int"), ("BytesSent", "Long"),
        ("Score", "Double"), ("IsCompliant", "Boolean"), ("AdditionalFields", "Dynamic"),
    };

    /// <summary>The rows of each tenant (by tid), as the Defender API sends them (Dynamic values as JSON text).</summary>
    public Dictionary<string, List<JsonObject>> Rows { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The pages of GET /api/machines.</summary>
    public List<JsonArray> Pages { get; } = new();

    public ConcurrentQueue<Func<HttpContext, Task>> Next { get; } = new();

    /// <summary>Tenants (by tid) whose tokens the fake refuses with 401.</summary>
    public ConcurrentDictionary<string, bool> RejectedTenants { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Awaited after a request is recorded and before it is answered (to hold answers until several requests are in flight).</summary>
    public Func<Task>? BeforeResponse { get; set; }

    /// <summary>What happened, in order: "POST /api/advancedhunting/run", "GET /api/machines page=1" (tests add their own).</summary>
    public ConcurrentQueue<string> Events { get; } = new();

    public IReadOnlyList<RecordedRequest> Requests => _requests.ToArray();

    public static async Task<FakeHuntingApi> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        FakeHuntingApi? fake = null;
        app.Run(context => fake!.HandleAsync(context));
        await app.StartAsync();
        var address = app.Urls.Single();
        fake = new FakeHuntingApi(app, new Uri(address.EndsWith('/') ? address : address + "/"));
        return fake;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    /// <summary>Adds <paramref name="count"/> rows for <paramref name="tenant"/>, with values of every schema type.</summary>
    public void AddRows(string tenant, int count)
    {
        if (!Rows.TryGetValue(tenant, out var rows))
        {
            Rows[tenant] = rows = new List<JsonObject>();
        }

        for (var i = 0; i < count; i++)
        {
            rows.Add(new JsonObject
            {
                ["Timestamp"] = FakeDefenderApi.Epoch.AddMinutes(-i).ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'"),
                ["DeviceName"] = $"{tenant[..4]}-pc{i}",
                ["ProcessCount"] = 10 + i,
                ["BytesSent"] = 5_000_000_000L + i,
                ["Score"] = 0.5 + i,
                ["IsCompliant"] = i % 2 == 0,
                ["AdditionalFields"] = "{\"Command\":\"whoami\",\"Ports\":[80,443]}",
            });
        }
    }

    /// <summary>Adds machines 1..count on pages of <paramref name="pageSize"/>.</summary>
    public void AddMachinePages(int count, int pageSize)
    {
        for (var i = 0; i < count; i++)
        {
            if (i % pageSize == 0)
            {
                Pages.Add(new JsonArray());
            }

            Pages[^1].Add(new JsonObject { ["id"] = $"machine-{i + 1}", ["computerDnsName"] = $"pc{i + 1}.contoso.com", ["riskScore"] = "Low" });
        }
    }

    /// <summary>A 429 with the body the hunting API sends when the tenant's CPU quota is used up.</summary>
    public static Func<HttpContext, Task> CpuQuotaExceeded(string? retryAfter) =>
        FakeDefenderApi.Error(429, "TooManyRequests", "You have exceeded the CPU resources allotted to your tenant for advanced hunting: 10 minutes of running time every hour. You can run queries again in 37 minutes.", retryAfter);

    private async Task HandleAsync(HttpContext context)
    {
        string? body = null;
        if (context.Request.ContentLength > 0 || context.Request.Headers.TransferEncoding.Count > 0)
        {
            using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
            body = await reader.ReadToEndAsync();
        }

        var path = context.Request.Path.Value ?? "";
        var recorded = new RecordedRequest(context.Request.Method, path, context.Request.QueryString.Value ?? "", null, null, null,
            context.Request.Headers.Authorization.Count > 0 ? context.Request.Headers.Authorization.ToString() : null, body, DateTimeOffset.UtcNow);
        _requests.Enqueue(recorded);
        var page = context.Request.Query.TryGetValue("page", out var p) ? p.ToString() : null;
        Events.Enqueue($"{recorded.Method} {path}{(page is null ? "" : " page=" + page)}");
        if (BeforeResponse is { } before)
        {
            await before();
        }

        if (Next.TryDequeue(out var scripted))
        {
            await scripted(context);
            return;
        }

        var tenant = TenantOf(recorded.Authorization);
        if (tenant is not null && RejectedTenants.ContainsKey(tenant))
        {
            await FakeDefenderApi.Error(401, "Unauthorized", "Unauthorized")(context);
            return;
        }

        if (HttpMethods.IsPost(recorded.Method) && path == "/api/advancedhunting/run")
        {
            await HuntAsync(context, body, tenant, graph: false);
        }
        else if (HttpMethods.IsPost(recorded.Method) && path == "/v1.0/security/runHuntingQuery")
        {
            await HuntAsync(context, body, tenant, graph: true);
        }
        else if (HttpMethods.IsGet(recorded.Method) && path == "/api/machines")
        {
            var index = int.TryParse(page, out var n) ? n : 0;
            var response = new JsonObject { ["@odata.context"] = BaseUri + "api/$metadata#Machines", ["value"] = index < Pages.Count ? Pages[index].DeepClone() : new JsonArray() };
            if (index + 1 < Pages.Count)
            {
                response["@odata.nextLink"] = BaseUri + "api/machines?page=" + (index + 1);
            }

            await WriteAsync(context, 200, response);
        }
        else
        {
            await FakeDefenderApi.Error(404, "NotFound", "No such resource")(context);
        }
    }

    private async Task HuntAsync(HttpContext context, string? body, string? tenant, bool graph)
    {
        var request = JsonNode.Parse(body ?? "{}")!.AsObject();
        var query = request["Query"]?.GetValue<string>();
        if (string.IsNullOrWhiteSpace(query) || query.Contains("syntax error", StringComparison.Ordinal))
        {
            await FakeDefenderApi.Error(400, "BadRequest", "Query could not be parsed at 'error' on line [1,18]. Token: error. Line: 1, Position: 18")(context);
            return;
        }

        var rows = tenant is not null && Rows.TryGetValue(tenant, out var r) ? r : new List<JsonObject>();
        var schema = new JsonArray(Schema.Select(c => (JsonNode)new JsonObject { [graph ? "name" : "Name"] = c.Name, [graph ? "type" : "Type"] = c.Type }).ToArray());
        var results = new JsonArray(rows.Select(row => (JsonNode)(graph ? AsGraphRow(row) : row.DeepClone())).ToArray());
        var response = graph
            ? new JsonObject { ["@odata.context"] = BaseUri + "v1.0/$metadata#microsoft.graph.security.huntingQueryResults", ["schema"] = schema, ["results"] = results }
            : new JsonObject
            {
                ["Stats"] = new JsonObject { ["ExecutionTime"] = 0.125, ["resource_usage"] = new JsonObject { ["cache"] = new JsonObject { ["memory"] = new JsonObject { ["hits"] = 2 } } }, ["dataset_statistics"] = new JsonArray(new JsonObject { ["table_row_count"] = rows.Count }) },
                ["Schema"] = schema,
                ["Results"] = results,
            };
        await WriteAsync(context, 200, response);
    }

    // Graph nests Dynamic values as JSON instead of sending them as text.
    private JsonObject AsGraphRow(JsonObject row)
    {
        var copy = (JsonObject)row.DeepClone();
        foreach (var (name, type) in Schema)
        {
            if (type == "Dynamic" && copy[name] is JsonValue value && value.TryGetValue<string>(out var text) && text.TrimStart().StartsWith('{'))
            {
                copy[name] = JsonNode.Parse(text);
            }
        }

        return copy;
    }

    private static string? TenantOf(string? authorization)
    {
        var parts = authorization?.Split(' ', 2) is [_, var token] ? token.Split('.') : null;
        if (parts is not { Length: 3 })
        {
            return null;
        }

        try
        {
            using var payload = JsonDocument.Parse(TestJwt.Decode(parts[1]));
            return payload.RootElement.TryGetProperty("tid", out var tid) ? tid.GetString() : null;
        }
        catch (Exception e) when (e is JsonException or FormatException)
        {
            return null;
        }
    }

    private static async Task WriteAsync(HttpContext context, int status, JsonNode body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json; charset=utf-8";
        await context.Response.WriteAsync(body.ToJsonString());
    }
}
