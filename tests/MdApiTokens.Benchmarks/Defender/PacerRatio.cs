namespace MdApiTokens.Benchmarks.Defender;

/// <summary>
/// Issue 9 asks for System.Threading.RateLimiting's partitioned limiters and Polly's retries over the module's own
/// pacer and retry loop unless a benchmark shows them worse: this is that benchmark, in one run. Each part prints a
/// table of medians with its ratios: <see cref="PacerCostRatio"/> (cost per admitted request),
/// <see cref="PacerExhaustionRatio"/> (the call after the quota: the wait announced and the wait kept) and
/// <see cref="RetryLoopRatio"/> (the retry loop against Polly).
/// </summary>
public static class PacerRatio
{
    public static async Task<int> RunAsync()
    {
        Console.WriteLine($"{Environment.ProcessorCount} processors, {System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription}");
        Console.WriteLine();
        PacerCostRatio.Run();
        await PacerExhaustionRatio.RunAsync();
        await RetryLoopRatio.RunAsync();
        return 0;
    }

    public static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }
}
