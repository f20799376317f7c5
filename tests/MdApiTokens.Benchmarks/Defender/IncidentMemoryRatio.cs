using MdApiTokens.Core.Defender;
using MdApiTokens.Tests.Shared;

namespace MdApiTokens.Benchmarks.Defender;

/// <summary>
/// Peak live memory of a streamed listing against the incident count: the module's client over 1,000, 10,000 and
/// 50,000 loopback incidents (pages of 100, pacing off), each page dropped once read, as a pipeline that streams does.
/// The anchor keeps every incident, as a script that collects the output would: its peak grows with the count, which
/// shows the measurement can see growth. Live bytes are read with a full collection after every page; the figure is
/// how far they rise above the lowest reading during the listing (the server's own pages are made before it starts).
/// </summary>
public static class IncidentMemoryRatio
{
    private static readonly int[] s_counts = { 1_000, 10_000, 50_000 };

    public static async Task<int> RunAsync()
    {
        var token = TestJwt.Create("00000000-0000-0000-0000-0000000000aa");
        var rows = new List<(int Incidents, double RawMb, double StreamedMb, double KeptMb)>();
        foreach (var count in s_counts)
        {
            await using var api = await LoopbackIncidentsApi.StartAsync(count, 100);
            using var handler = new SocketsHttpHandler { AllowAutoRedirect = false };
            var raw = await RawLiveGrowthAsync(api, handler, token, count);
            var streamed = await PeakLiveBytesAsync(api, handler, token, keep: false, count);
            var kept = await PeakLiveBytesAsync(api, handler, token, keep: true, count);
            rows.Add((count, raw / 1e6, streamed / 1e6, kept / 1e6));
        }

        Console.WriteLine("| Incidents | Raw loop (floor): live growth | Module client, streamed: live growth | Kept (anchor): live growth |");
        foreach (var (incidents, rawMb, streamedMb, keptMb) in rows)
        {
            Console.WriteLine($"| {incidents:N0} | {rawMb:0.000} MB | {streamedMb:0.000} MB | {keptMb:0.00} MB |");
        }

        // Flat: at fifty times the incidents the streamed client may grow no more than twice the raw loop's growth plus
        // one page's worth (the server and the connection pool grow on both sides), while the anchor grows by the data.
        return rows[^1].StreamedMb <= 2 * rows[^1].RawMb + 0.5 ? 0 : 1;
    }

    private static async Task<long> RawLiveGrowthAsync(LoopbackIncidentsApi api, HttpMessageHandler handler, string token, int expected)
    {
        using var http = new HttpClient(handler, disposeHandler: false);
        var (low, high) = (long.MaxValue, 0L);
        var seen = 0;
        for (var skip = 0; ; skip += 100)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(api.BaseUri, "api/incidents?$top=100" + (skip > 0 ? $"&$skip={skip}" : "")));
            request.Headers.Authorization = new("Bearer", token);
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
            await using var stream = await response.Content.ReadAsStreamAsync();
            var items = (await System.Text.Json.JsonSerializer.DeserializeAsync<System.Text.Json.JsonElement>(stream)).GetProperty("value").GetArrayLength();
            seen += items;
            var live = GC.GetTotalMemory(forceFullCollection: true);
            (low, high) = (Math.Min(low, live), Math.Max(high, live));
            if (items < 100)
            {
                break;
            }
        }

        return seen == expected ? high - low : throw new InvalidOperationException($"The raw loop returned {seen} incidents, not {expected}.");
    }

    private static async Task<long> PeakLiveBytesAsync(LoopbackIncidentsApi api, HttpMessageHandler handler, string token, bool keep, int expected)
    {
        var kept = new List<DefenderIncident>();
        var (low, high) = (long.MaxValue, 0L);
        var seen = 0;
        using (var client = new DefenderIncidentClient(api.BaseUri, token, null, handler, new DefenderClientOptions { Pacer = DefenderRequestPacer.Off }))
        {
            var pager = client.ListIncidents(new DefenderIncidentQuery());
            while (await pager.NextPageAsync(CancellationToken.None) is { } page)
            {
                seen += page.Count;
                if (keep)
                {
                    kept.AddRange(page);
                }

                var live = GC.GetTotalMemory(forceFullCollection: true);
                (low, high) = (Math.Min(low, live), Math.Max(high, live));
            }
        }

        if (seen != expected)
        {
            throw new InvalidOperationException($"The listing returned {seen} incidents, not {expected}.");
        }

        GC.KeepAlive(kept);
        return high - low;
    }
}
