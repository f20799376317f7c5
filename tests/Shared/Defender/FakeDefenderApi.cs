using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;

namespace MdApiTokens.Testing.Defender;

/// <summary>A request the fake received.</summary>
public sealed record RecordedRequest(string Method, string Path, string QueryString, string? Filter, int? Top, int? Skip, string? Authorization, string? Body, DateTimeOffset At);

/// <summary>
/// The Microsoft 365 Defender incidents API on 127.0.0.1 (Kestrel, plain http): list with $filter (applied, and
/// rejecting fields the real API cannot filter), $top (at most 100) and $skip, with or without @odata.nextLink;
/// get and update by id; documented error bodies. Tests queue one-shot responses (429, 500, slow, truncated...) in
/// <see cref="Next"/>, which are served before the normal behaviour.
/// </summary>
public sealed class FakeDefenderApi : IAsyncDisposable
{
    public static readonly DateTimeOffset Epoch = new(2026, 1, 10, 12, 0, 0, TimeSpan.Zero);

    private readonly WebApplication _app;
    private readonly ConcurrentQueue<RecordedRequest> _requests = new();

    private FakeDefenderApi(WebApplication app, Uri baseUri)
    {
        _app = app;
        BaseUri = baseUri;
    }

    public Uri BaseUri { get; }

    /// <summary>The tenant's incidents, newest first, as the API lists them.</summary>
    public List<JsonObject> Incidents { get; } = new();

    /// <summary>Answer list pages with @odata.nextLink (true) or leave paging to $skip (false).</summary>
    public bool ServeNextLink { get; set; }

    /// <summary>When set, only "Bearer " + this is accepted; anything else gets 401.</summary>
    public string? ExpectedToken { get; set; }

    /// <summary>Tokens answered with 401, as a tenant whose consent was withdrawn.</summary>
    public ConcurrentDictionary<string, bool> RejectedTokens { get; } = new();

    /// <summary>Awaited before every response (after the request is recorded): a latency, or a gate that holds requests.</summary>
    public Func<Task>? BeforeResponse { get; set; }

    /// <summary>One-shot responses, served in order before the normal behaviour.</summary>
    public ConcurrentQueue<Func<HttpContext, Task>> Next { get; } = new();

    /// <summary>What happened, in order: requests as "GET /api/incidents?..." (tests add their own entries too).</summary>
    public ConcurrentQueue<string> Events { get; } = new();

    public IReadOnlyList<RecordedRequest> Requests => _requests.ToArray();

    /// <summary>Completed when a request arrives (set a new one to wait for the next).</summary>
    public TaskCompletionSource RequestArrived { get; set; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public static async Task<FakeDefenderApi> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        FakeDefenderApi? fake = null;
        app.Run(context => fake!.HandleAsync(context));
        await app.StartAsync();
        var address = app.Urls.Single();
        fake = new FakeDefenderApi(app, new Uri(address.EndsWith('/') ? address : address + "/"));
        return fake;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    /// <summary>Adds incidents 1..count (ids descending from <paramref name="firstId"/>), severities cycling High, Medium, Low, Informational.</summary>
    public void AddIncidents(int count, long firstId = 1000)
    {
        string[] severities = { "High", "Medium", "Low", "Informational" };
        for (var i = 0; i < count; i++)
        {
            Incidents.Add(Incident(firstId - i, severity: severities[i % severities.Length], lastUpdate: Epoch.AddMinutes(-i)));
        }
    }

    /// <summary>An incident of the documented shape, with one alert (a device and two entities) and fields the module does not know.</summary>
    public static JsonObject Incident(long id, string severity = "Medium", string status = "Active", string? assignedTo = null, DateTimeOffset? lastUpdate = null, DateTimeOffset? created = null, string? name = null)
    {
        var updated = lastUpdate ?? Epoch;
        return new JsonObject
        {
            ["incidentId"] = id,
            ["incidentUri"] = $"https://security.microsoft.com/incidents/{id}?tid=00000000-0000-0000-0000-0000000000aa",
            ["redirectIncidentId"] = null,
            ["incidentName"] = name ?? $"Ransomware activity {id}",
            ["createdTime"] = (created ?? updated.AddHours(-1)).ToString("o", CultureInfo.InvariantCulture),
            ["lastUpdateTime"] = updated.ToString("o", CultureInfo.InvariantCulture),
            ["assignedTo"] = assignedTo,
            ["classification"] = "Unknown",
            ["determination"] = "NotAvailable",
            ["detectionSource"] = "MicrosoftDefenderForEndpoint",
            ["status"] = status,
            ["severity"] = severity,
            ["tags"] = new JsonArray("fake"),
            ["comments"] = new JsonArray(new JsonObject { ["comment"] = "seen", ["createdBy"] = "secop@contoso.com", ["createdTime"] = updated.ToString("o", CultureInfo.InvariantCulture) }),
            ["impactScore"] = 42,
            ["systemTags"] = new JsonObject { ["source"] = "fake", ["levels"] = new JsonArray(1, 2) },
            ["alerts"] = new JsonArray(new JsonObject
            {
                ["alertId"] = $"da{id}_1",
                ["incidentId"] = id,
                ["serviceSource"] = "MicrosoftDefenderATP",
                ["creationTime"] = updated.AddMinutes(-5).ToString("o", CultureInfo.InvariantCulture),
                ["lastUpdatedTime"] = updated.ToString("o", CultureInfo.InvariantCulture),
                ["resolvedTime"] = null,
                ["firstActivity"] = updated.AddMinutes(-10).ToString("o", CultureInfo.InvariantCulture),
                ["lastActivity"] = updated.AddMinutes(-9).ToString("o", CultureInfo.InvariantCulture),
                ["title"] = "'Mimikatz' hacktool was detected",
                ["description"] = "Readily available tools, such as hacking programs, can be used by unauthorized individuals.",
                ["category"] = "Malware",
                ["status"] = "New",
                ["severity"] = severity,
                ["investigationId"] = null,
                ["investigationState"] = "UnsupportedOs",
                ["classification"] = null,
                ["determination"] = null,
                ["detectionSource"] = "WindowsDefenderAv",
                ["assignedTo"] = null,
                ["actorName"] = null,
                ["threatFamilyName"] = "Mimikatz",
                ["mitreTechniques"] = new JsonArray("T1003"),
                ["detectorVersion"] = "2.1",
                ["devices"] = new JsonArray(new JsonObject
                {
                    ["mdatpDeviceId"] = "24c222b0b60fe148eeece49ac83910cc6a7ef491",
                    ["aadDeviceId"] = null,
                    ["deviceDnsName"] = "user5cx.middleeast.corp.contoso.com",
                    ["osPlatform"] = "WindowsServer2016",
                    ["version"] = "1607",
                    ["osProcessor"] = "x64",
                    ["osBuild"] = 14393,
                    ["healthStatus"] = "Active",
                    ["riskScore"] = "High",
                    ["rbacGroupName"] = "WDATP-Ring0",
                    ["rbacGroupId"] = 9,
                    ["firstSeen"] = "2020-02-06T14:16:01.9330135Z",
                }),
                ["entities"] = new JsonArray(
                    new JsonObject
                    {
                        ["entityType"] = "File",
                        ["sha1"] = "5de839186691aa96ee2ca6d74f0a38fb8d1bd6dd",
                        ["fileName"] = "Detector.UnitTests.dll",
                        ["filePath"] = "C:\\Agent\\_work\\_temp",
                        ["deviceId"] = "24c222b0b60fe148eeece49ac83910cc6a7ef491",
                    },
                    new JsonObject
                    {
                        ["entityType"] = "User",
                        ["accountName"] = "testUser2",
                        ["domainName"] = "europe.corp.contoso",
                        ["userPrincipalName"] = "testUser2@contoso.com",
                        ["verdict"] = "Suspicious",
                    }),
            }),
        };
    }

    /// <summary>The documented error body.</summary>
    public static string ErrorBody(string code, string message) =>
        new JsonObject { ["error"] = new JsonObject { ["code"] = code, ["message"] = message, ["target"] = "43f4cb08-8fac-4b65-9db1-745c2ae65f3a" } }.ToJsonString();

    /// <summary>A one-shot response with this status, the documented error body and optional Retry-After.</summary>
    public static Func<HttpContext, Task> Error(int status, string code, string message, string? retryAfter = null) => async context =>
    {
        context.Response.StatusCode = status;
        if (retryAfter is not null)
        {
            context.Response.Headers.RetryAfter = retryAfter;
        }

        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(ErrorBody(code, message));
    };

    /// <summary>A one-shot response that never completes unless the client gives up.</summary>
    public static Func<HttpContext, Task> Slow(TimeSpan delay) => async context =>
    {
        try
        {
            await Task.Delay(delay, context.RequestAborted);
        }
        catch (OperationCanceledException)
        {
            return;
        }

        context.Response.StatusCode = 200;
        await context.Response.WriteAsync("{\"value\":[]}");
    };

    /// <summary>A 200 whose body is the given text, as is.</summary>
    public static Func<HttpContext, Task> Raw(string body, string contentType = "application/json", int status = 200) => async context =>
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = contentType;
        await context.Response.WriteAsync(body);
    };

    /// <summary>A 200 whose headers and first bytes arrive, then nothing more until the client gives up.</summary>
    public static Func<HttpContext, Task> StalledBody() => async context =>
    {
        context.Response.StatusCode = 200;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync("{\"value\":[{\"incidentId\":1,");
        await context.Response.Body.FlushAsync();
        try
        {
            await Task.Delay(Timeout.Infinite, context.RequestAborted);
        }
        catch (OperationCanceledException)
        {
        }
    };

    /// <summary>A 200 that announces a longer body than it sends, then drops the connection.</summary>
    public static Func<HttpContext, Task> DroppedMidBody() => async context =>
    {
        context.Response.StatusCode = 200;
        context.Response.ContentType = "application/json";
        context.Response.ContentLength = 5000;
        await context.Response.WriteAsync("{\"value\":[{\"incidentId\":1,");
        await context.Response.Body.FlushAsync();
        context.Abort();
    };

    private async Task HandleAsync(HttpContext context)
    {
        string? body = null;
        if (context.Request.ContentLength > 0 || context.Request.Headers.TransferEncoding.Count > 0)
        {
            using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
            body = await reader.ReadToEndAsync();
        }

        var query = context.Request.Query;
        var recorded = new RecordedRequest(
            context.Request.Method,
            context.Request.Path.Value ?? "",
            context.Request.QueryString.Value ?? "",
            query.TryGetValue("$filter", out var f) ? f.ToString() : null,
            query.TryGetValue("$top", out var t) && int.TryParse(t, out var top) ? top : null,
            query.TryGetValue("$skip", out var s) && int.TryParse(s, out var skip) ? skip : null,
            context.Request.Headers.Authorization.Count > 0 ? context.Request.Headers.Authorization.ToString() : null,
            body,
            DateTimeOffset.UtcNow);
        _requests.Enqueue(recorded);
        Events.Enqueue($"{recorded.Method} {recorded.Path}{(recorded.Skip is { } k ? " skip=" + k : "")}");
        RequestArrived.TrySetResult();
        if (BeforeResponse is { } before)
        {
            await before();
        }

        if (Next.TryDequeue(out var scripted))
        {
            await scripted(context);
            return;
        }

        if (ExpectedToken is not null && recorded.Authorization != "Bearer " + ExpectedToken)
        {
            await Error(401, "Unauthorized", "Unauthorized")(context);
            return;
        }

        if (recorded.Authorization is { } presented && RejectedTokens.ContainsKey(presented.Replace("Bearer ", "")))
        {
            await Error(401, "Unauthorized", "Unauthorized")(context);
            return;
        }

        var path = recorded.Path.TrimEnd('/');
        if (path == "/api/incidents" && HttpMethods.IsGet(recorded.Method))
        {
            await ListAsync(context, recorded);
            return;
        }

        if (path.StartsWith("/api/incidents/", StringComparison.Ordinal) && long.TryParse(path["/api/incidents/".Length..], out var id))
        {
            var incident = Incidents.FirstOrDefault(i => (long)i["incidentId"]! == id);
            if (incident is null)
            {
                await Error(404, "ResourceNotFound", $"Incident {id} was not found")(context);
                return;
            }

            if (HttpMethods.IsPatch(recorded.Method))
            {
                Apply(incident, JsonNode.Parse(body ?? "{}")!.AsObject());
            }

            await WriteJsonAsync(context, 200, (JsonObject)incident.DeepClone());
            return;
        }

        await Error(404, "NotFound", "No such resource")(context);
    }

    private async Task ListAsync(HttpContext context, RecordedRequest request)
    {
        Func<JsonObject, bool> predicate;
        try
        {
            predicate = request.Filter is null ? _ => true : FakeODataFilter.Parse(request.Filter);
        }
        catch (FormatException e)
        {
            await Error(400, "ODataError", "Invalid OData URI query: " + e.Message)(context);
            return;
        }

        var top = request.Top ?? 100;
        if (top is < 1 or > 100)
        {
            await Error(400, "ODataError", $"Invalid OData URI query: $top must be between 1 and 100 but was {top}")(context);
            return;
        }

        var skip = request.Skip ?? 0;
        var matching = Incidents.Where(predicate).ToList();
        var page = new JsonArray(matching.Skip(skip).Take(top).Select(i => (JsonNode)i.DeepClone()).ToArray());
        var response = new JsonObject
        {
            ["@odata.context"] = BaseUri + "api/$metadata#Incidents",
            ["value"] = page,
        };
        if (ServeNextLink && skip + top < matching.Count)
        {
            var next = new StringBuilder(BaseUri + "api/incidents?");
            if (request.Filter is not null)
            {
                next.Append("$filter=").Append(Uri.EscapeDataString(request.Filter)).Append('&');
            }

            next.Append("$top=").Append(top).Append("&$skip=").Append(skip + top);
            response["@odata.nextLink"] = next.ToString();
        }

        await WriteJsonAsync(context, 200, response);
    }

    private static void Apply(JsonObject incident, JsonObject patch)
    {
        foreach (var (name, value) in patch)
        {
            if (name == "comment")
            {
                incident["comments"]!.AsArray().Add(new JsonObject { ["comment"] = value!.GetValue<string>(), ["createdBy"] = "API-App:fake", ["createdTime"] = Epoch.ToString("o", CultureInfo.InvariantCulture) });
            }
            else
            {
                incident[name] = value?.DeepClone();
            }
        }
    }

    private static async Task WriteJsonAsync(HttpContext context, int status, JsonNode body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json; charset=utf-8";
        await context.Response.WriteAsync(body.ToJsonString());
    }
}

/// <summary>
/// The $filter grammar the incidents API accepts, enough to apply it: comparisons (eq ne gt ge lt le) of
/// lastUpdateTime, createdTime, status and assignedTo with string, date-time and null literals, combined with and,
/// or and parentheses. Any other property is rejected, as the real API does.
/// </summary>
public static class FakeODataFilter
{
    private static readonly string[] s_filterable = { "lastUpdateTime", "createdTime", "status", "assignedTo" };

    public static Func<JsonObject, bool> Parse(string filter)
    {
        var parser = new Parser(Tokenize(filter));
        var result = parser.ParseOr();
        parser.ExpectEnd();
        return result;
    }

    private static List<string> Tokenize(string text)
    {
        var tokens = new List<string>();
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if (char.IsWhiteSpace(c))
            {
                i++;
            }
            else if (c is '(' or ')')
            {
                tokens.Add(c.ToString());
                i++;
            }
            else if (c == '\'')
            {
                var literal = new StringBuilder("'");
                i++;
                while (true)
                {
                    if (i >= text.Length)
                    {
                        throw new FormatException("unterminated string literal");
                    }

                    if (text[i] == '\'')
                    {
                        if (i + 1 < text.Length && text[i + 1] == '\'')
                        {
                            literal.Append('\'');
                            i += 2;
                            continue;
                        }

                        i++;
                        break;
                    }

                    literal.Append(text[i++]);
                }

                tokens.Add(literal.ToString());
            }
            else
            {
                var start = i;
                while (i < text.Length && !char.IsWhiteSpace(text[i]) && text[i] is not '(' and not ')')
                {
                    i++;
                }

                tokens.Add(text[start..i]);
            }
        }

        return tokens;
    }

    private sealed class Parser
    {
        private readonly List<string> _tokens;
        private int _position;

        public Parser(List<string> tokens) => _tokens = tokens;

        public Func<JsonObject, bool> ParseOr()
        {
            var left = ParseAnd();
            while (Peek() == "or")
            {
                _position++;
                var l = left;
                var r = ParseAnd();
                left = i => l(i) || r(i);
            }

            return left;
        }

        public void ExpectEnd()
        {
            if (_position != _tokens.Count)
            {
                throw new FormatException($"unexpected '{_tokens[_position]}'");
            }
        }

        private Func<JsonObject, bool> ParseAnd()
        {
            var left = ParsePrimary();
            while (Peek() == "and")
            {
                _position++;
                var l = left;
                var r = ParsePrimary();
                left = i => l(i) && r(i);
            }

            return left;
        }

        private Func<JsonObject, bool> ParsePrimary()
        {
            if (Peek() == "(")
            {
                _position++;
                var inner = ParseOr();
                if (Take() != ")")
                {
                    throw new FormatException("missing ')'");
                }

                return inner;
            }

            var property = Take() ?? throw new FormatException("expected a property");
            if (!s_filterable.Contains(property, StringComparer.Ordinal))
            {
                throw new FormatException($"the property '{property}' cannot be used in $filter; filterable: {string.Join(", ", s_filterable)}");
            }

            var op = Take() ?? throw new FormatException("expected an operator");
            var literal = Take() ?? throw new FormatException("expected a value");
            var isDate = property.EndsWith("Time", StringComparison.Ordinal);
            object? expected;
            if (literal == "null")
            {
                expected = null;
            }
            else if (isDate)
            {
                if (!DateTimeOffset.TryParseExact(literal, new[] { "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK", "yyyy-MM-dd'T'HH:mm:ssK", "yyyy-MM-dd" }, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var date))
                {
                    throw new FormatException($"'{literal}' is not a DateTimeOffset literal");
                }

                expected = date;
            }
            else if (literal.StartsWith('\''))
            {
                expected = literal[1..];
            }
            else
            {
                throw new FormatException($"'{literal}' is not a string literal");
            }

            Func<int, bool> test = op switch
            {
                "eq" => c => c == 0,
                "ne" => c => c != 0,
                "gt" => c => c > 0,
                "ge" => c => c >= 0,
                "lt" => c => c < 0,
                "le" => c => c <= 0,
                _ => throw new FormatException($"unknown operator '{op}'"),
            };

            return incident =>
            {
                var node = incident[property];
                object? actual = node is null ? null : isDate ? DateTimeOffset.Parse(node.GetValue<string>(), CultureInfo.InvariantCulture) : node.GetValue<string>();
                if (actual is null || expected is null)
                {
                    return op switch { "eq" => actual is null && expected is null, "ne" => !(actual is null && expected is null), _ => false };
                }

                var comparison = actual is DateTimeOffset a ? a.CompareTo((DateTimeOffset)expected) : string.CompareOrdinal((string)actual, (string)expected);
                return test(comparison);
            };
        }

        private string? Peek() => _position < _tokens.Count ? _tokens[_position] : null;

        private string? Take() => _position < _tokens.Count ? _tokens[_position++] : null;
    }
}
