using System.Diagnostics;

namespace MdApiTokens.Benchmarks.Defender;

/// <summary>
/// <see cref="IncidentListingBenchmarks"/>' two listings run alternately, so a busy shared machine slows both alike:
/// the medians of time and of bytes allocated (process-wide, the in-process server's share included on both sides).
/// </summary>
public static class IncidentListingRatio
{
    private const int Rounds = 21;

    public static async Task<int> RunAsync()
    {
        var listings = new IncidentListingBenchmarks();
        listings.Setup();
        try
        {
            var raw = new List<(double Ms, long Bytes)>();
            var module = new List<(double Ms, long Bytes)>();
            for (var round = -3; round < Rounds; round++)
            {
                var r = await MeasureAsync(listings.RawHttpClientIntoJsonElement);
                var m = await MeasureAsync(listings.ModuleClient);
                if (round >= 0)
                {
                    raw.Add(r);
                    module.Add(m);
                }
            }

            double Median(IEnumerable<double> values) => values.Order().ElementAt(Rounds / 2);
            var (rawMs, moduleMs) = (Median(raw.Select(x => x.Ms)), Median(module.Select(x => x.Ms)));
            var (rawMb, moduleMb) = (Median(raw.Select(x => x.Bytes / 1e6)), Median(module.Select(x => x.Bytes / 1e6)));
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
