using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace MdApiTokens.Benchmarks.Defender;

/// <summary>
/// The incidents listing on 127.0.0.1, as cheap as a server can be: every page's bytes are made once, so what is
/// measured is the client. $top/$skip paging; an optional delay before each answer stands for the API's latency.
/// </summary>
public sealed class LoopbackIncidentsApi : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly byte[][] _pages;
    private readonly int _pageSize;
    private int _requests;

    private LoopbackIncidentsApi(WebApplication app, byte[][] pages, int pageSize)
    {
        _app = app;
        _pages = pages;
        _pageSize = pageSize;
    }

    public Uri BaseUri { get; private set; } = null!;

    public TimeSpan Latency { get; set; }

    public int Requests => Volatile.Read(ref _requests);

    public static async Task<LoopbackIncidentsApi> StartAsync(int incidents, int pageSize)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var pageCount = (incidents / pageSize) + 1;
        var pages = new byte[pageCount][];
        for (var p = 0; p < pageCount; p++)
        {
            var value = new JsonArray();
            for (var i = p * pageSize; i < Math.Min(incidents, (p + 1) * pageSize); i++)
            {
                value.Add(Incident(100_000 - i));
            }

            pages[p] = Encoding.UTF8.GetBytes(new JsonObject { ["@odata.context"] = "https://api.security.microsoft.com/api/$metadata#Incidents", ["value"] = value }.ToJsonString());
        }

        var api = new LoopbackIncidentsApi(app, pages, pageSize);
        app.Run(api.HandleAsync);
        await app.StartAsync();
        var address = app.Urls.Single();
        api.BaseUri = new Uri(address.EndsWith('/') ? address : address + "/");
        return api;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext context)
    {
        Interlocked.Increment(ref _requests);
        if (Latency > TimeSpan.Zero)
        {
            await Task.Delay(Latency);
        }

        var skip = int.TryParse(context.Request.Query["$skip"], out var s) ? s : 0;
        var page = _pages[Math.Min(skip / _pageSize, _pages.Length - 1)];
        context.Response.StatusCode = 200;
        context.Response.ContentType = "application/json; charset=utf-8";
        context.Response.ContentLength = page.Length;
        await context.Response.Body.WriteAsync(page);
    }

    /// <summary>An incident of the documented shape with one alert, a device, an entity and two fields the module does not know.</summary>
    private static JsonObject Incident(long id)
    {
        var time = new DateTimeOffset(2026, 1, 10, 12, 0, 0, TimeSpan.Zero).AddMinutes(-id).ToString("o", CultureInfo.InvariantCulture);
        return new JsonObject
        {
            ["incidentId"] = id,
            ["incidentUri"] = $"https://security.microsoft.com/incidents/{id}?tid=00000000-0000-0000-0000-0000000000aa",
            ["redirectIncidentId"] = null,
            ["incidentName"] = $"Ransomware activity {id}",
            ["createdTime"] = time,
            ["lastUpdateTime"] = time,
            ["assignedTo"] = "secop@contoso.com",
            ["classification"] = "Unknown",
            ["determination"] = "NotAvailable",
            ["detectionSource"] = "MicrosoftDefenderForEndpoint",
            ["status"] = "Active",
            ["severity"] = "High",
            ["tags"] = new JsonArray("fake"),
            ["comments"] = new JsonArray(new JsonObject { ["comment"] = "seen", ["createdBy"] = "secop@contoso.com", ["createdTime"] = time }),
            ["impactScore"] = 42,
            ["systemTags"] = new JsonObject { ["source"] = "fake", ["levels"] = new JsonArray(1, 2) },
            ["alerts"] = new JsonArray(new JsonObject
            {
                ["alertId"] = $"da{id}_1",
                ["incidentId"] = id,
                ["serviceSource"] = "MicrosoftDefenderATP",
                ["creationTime"] = time,
                ["lastUpdatedTime"] = time,
                ["title"] = "'Mimikatz' hacktool was detected",
                ["category"] = "Malware",
                ["status"] = "New",
                ["severity"] = "High",
                ["detectorVersion"] = "2.1",
                ["devices"] = new JsonArray(new JsonObject { ["mdatpDeviceId"] = "ff21a9", ["deviceDnsName"] = "pc1.contoso.com", ["osPlatform"] = "Windows10" }),
                ["entities"] = new JsonArray(new JsonObject { ["entityType"] = "File", ["fileName"] = "mimikatz.exe", ["sha1"] = "5f2a" }),
            }),
        };
    }
}
