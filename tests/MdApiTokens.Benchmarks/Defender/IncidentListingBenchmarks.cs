using System.Text.Json;
using BenchmarkDotNet.Attributes;
using MdApiTokens.Core.Defender;
using MdApiTokens.Tests.Shared;

namespace MdApiTokens.Benchmarks.Defender;

/// <summary>
/// 10,000 incidents over 100 loopback pages (and the empty 101st that ends a $skip listing), pacing off: the module's
/// client against the anchor, a plain HttpClient + System.Text.Json loop into JsonElement over the same requests.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 15)]
public class IncidentListingBenchmarks
{
    private const int PageSize = 100;
    private LoopbackIncidentsApi _api = null!;
    private SocketsHttpHandler _handler = null!;
    private HttpClient _raw = null!;
    private string _token = "";

    [GlobalSetup]
    public void Setup()
    {
        _api = LoopbackIncidentsApi.StartAsync(10_000, PageSize).GetAwaiter().GetResult();
        _handler = new SocketsHttpHandler { AllowAutoRedirect = false };
        _raw = new HttpClient(_handler, disposeHandler: false);
        _token = TestJwt.Create("00000000-0000-0000-0000-0000000000aa");
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _raw.Dispose();
        _handler.Dispose();
        _api.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }

    [Benchmark(Baseline = true)]
    public async Task<int> RawHttpClientIntoJsonElement()
    {
        var count = 0;
        for (var skip = 0; ; skip += PageSize)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(_api.BaseUri, $"api/incidents?$top={PageSize}" + (skip > 0 ? $"&$skip={skip}" : "")));
            request.Headers.Authorization = new("Bearer", _token);
            using var response = await _raw.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
            response.EnsureSuccessStatusCode();
            await using var stream = await response.Content.ReadAsStreamAsync();
            var page = await JsonSerializer.DeserializeAsync<JsonElement>(stream);
            var items = page.GetProperty("value").GetArrayLength();
            count += items;
            if (items < PageSize)
            {
                return count;
            }
        }
    }

    [Benchmark]
    public async Task<int> ModuleClient()
    {
        using var client = new DefenderIncidentClient(_api.BaseUri, _token, null, _handler, new DefenderClientOptions { Pacer = DefenderRequestPacer.Off });
        var pager = client.ListIncidents(new DefenderIncidentQuery());
        var count = 0;
        while (await pager.NextPageAsync(CancellationToken.None) is { } page)
        {
            count += page.Count;
        }

        return count;
    }
}
