using System.Diagnostics;
using System.Runtime;

namespace MdApiTokens.Benchmarks.Defender;

/// <summary>
/// <see cref="IncidentListingBenchmarks"/>' two listings run alternately, so a busy shared machine slows both alike:
/// the medians of time and of bytes allocated (process-wide, the in-process server's share included on both sides).
/// Measured once the JIT has settled: tiered compilation recompiles the hot code in the background, which on a busy
/// machine takes seconds, and the module's code (not precompiled, unlike most of what the raw loop runs) needs more
/// of it.
/// </summary>
public static class IncidentListingRatio
{
    private const int Rounds = 21;

    // Warm-up ends after this many round pairs in a row compile no method, or after MaxWarmups pairs.
    private const int SettledRounds = 3;
    private const int MaxWarmups = 100;

    public static async Task<int> RunAsync()
    {
        var listings = new IncidentListingBenchmarks();
        listings.Setup();
        try
        {
            var warmups = 0;
            for (var quiet = 0; quiet < SettledRounds && warmups < MaxWarmups; warmups++)
            {
                var compiled = JitInfo.GetCompiledMethodCount();
                await MeasureAsync(listings.RawHttpClientIntoJsonElement);
                await MeasureAsync(listings.ModuleClient);
                quiet = JitInfo.GetCompiledMethodCount() == compiled ? quiet + 1 : 0;
            }

            var raw = new List<(double Ms, long Bytes)>();
            var module = new List<(double Ms, long Bytes)>();
            for (var round = 0; round < Rounds; round++)
            {
                raw.Add(await MeasureAsync(listings.RawHttpClientIntoJsonElement));
                module.Add(await MeasureAsync(listings.ModuleClient));
            }

            double Median(IEnumerable<double> values) => values.Order().ElementAt(Rounds / 2);
            var (rawMs, moduleMs) = (Median(raw.Select(x => x.Ms)), Median(module.Select(x => x.Ms)));
            var (rawMb, moduleMb) = (Median(raw.Select(x => x.Bytes / 1e6)), Median(module.Select(x => x.Bytes / 1e6)));
            Console.WriteLine($"Warm-up: {warmups} round pairs until {SettledRounds} in a row compiled nothing; then {Rounds} measured.");
            Console.WriteLine("| Listing (10,000 incidents, 101 requests) | Median time | Ratio | Median allocated | Ratio |");
            Console.WriteLine($"| Raw HttpClient + System.Text.Json into JsonElement | {rawMs:0.0} ms | 1.00 | {rawMb:0.0} MB | 1.00 |");
            Console.WriteLine($"| DefenderIncidentClient, pacing off | {moduleMs:0.0} ms | {moduleMs / rawMs:0.00} | {moduleMb:0.0} MB | {moduleMb / rawMb:0.00} |");
            return moduleMs / rawMs <= 1.3 && moduleMb / rawMb <= 2 ? 0 : 1;
        }
        finally
        {
            listings.Cleanup();
        }
    }

    private static async Task<(double Ms, long Bytes)> MeasureAsync(Func<Task<int>> listing)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var before = GC.GetTotalAllocatedBytes(precise: true);
        var watch = Stopwatch.StartNew();
        if (await listing() != 10_000)
        {
            throw new InvalidOperationException("The listing did not return 10,000 incidents.");
        }

        watch.Stop();
        return (watch.Elapsed.TotalMilliseconds, GC.GetTotalAllocatedBytes(precise: true) - before);
    }
}
