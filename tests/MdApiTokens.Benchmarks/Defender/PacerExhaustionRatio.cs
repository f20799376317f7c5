using System.Diagnostics;
using System.Threading.RateLimiting;
using MdApiTokens.Core;
using MdApiTokens.Core.Defender;

namespace MdApiTokens.Benchmarks.Defender;

/// <summary>
/// What happens at the call after the quota, on real time with the window scaled down from 50 calls a minute to 5 calls
/// per 500 ms, and per 5 s with the limiters' segments of 1 s (a minute is too slow to repeat): how long each side says the wait will be before it starts (the pacer
/// returns it from <see cref="DefenderRequestPacer.Reserve"/>; a limiter can only say it through the RetryAfter metadata
/// of a refused <c>AttemptAcquire</c>), how long the 6th call really waited (the pacer waits with the module's default
/// <c>Task.Delay</c>; the limiter's <c>AcquireAsync</c> is queued and released by its own timer), and over
/// 20 calls made as fast as each side admits them: the shortest span of 6 consecutive admissions (below the window the
/// quota was broken) and the time the last one was admitted.
/// </summary>
public static class PacerExhaustionRatio
{
    private const int Permits = 5;
    private const string Key = "api.security.microsoft.com|00000000-0000-0000-0000-000000000000";

    public static async Task RunAsync()
    {
        // The window a tenth of the minute's length relative to the segments of 50 ms; then segments of 1 s, the length
        // a minute cut into the limiter's 60 segments has, over a window of 5 s (only the 6th call: 5 s a round).
        await RunScaleAsync(TimeSpan.FromMilliseconds(500), segments: 10, calls: 20, rounds: 5, allSides: true);
        await RunScaleAsync(TimeSpan.FromSeconds(5), segments: 5, calls: Permits + 1, rounds: 3, allSides: false);
    }

    private static async Task RunScaleAsync(TimeSpan window, int segments, int calls, int rounds, bool allSides)
    {
        var ms = $"{window.TotalMilliseconds:0} ms";
        var segment = $"{window.TotalMilliseconds / segments:0} ms";
        var sides = new List<(string Name, Func<ISide> Create)>
        {
            ($"DefenderRequestPacer ({Permits} per {ms}), system clock, Task.Delay", () => new PacerSide(window)),
            ($"SlidingWindow, {segments} segments of {segment}, AutoReplenishment (a timer per limiter)", () => new LimiterSide(
                RateLimitPartition.GetSlidingWindowLimiter(Key, _ => new SlidingWindowRateLimiterOptions { PermitLimit = Permits, Window = window, SegmentsPerWindow = segments, QueueLimit = calls, AutoReplenishment = true }))),
            ($"SlidingWindow, {segments} segments of {segment}, replenished by the partitioned limiter's 100 ms heartbeat", () => new LimiterSide(
                RateLimitPartition.GetSlidingWindowLimiter(Key, _ => new SlidingWindowRateLimiterOptions { PermitLimit = Permits, Window = window, SegmentsPerWindow = segments, QueueLimit = calls, AutoReplenishment = false }))),
        };
        if (allSides)
        {
            sides.Add(("FixedWindow, AutoReplenishment", () => new LimiterSide(
                RateLimitPartition.GetFixedWindowLimiter(Key, _ => new FixedWindowRateLimiterOptions { PermitLimit = Permits, Window = window, QueueLimit = calls, AutoReplenishment = true }))));
            sides.Add(($"TokenBucket, {Permits} tokens, 1 per {window.TotalMilliseconds / Permits:0} ms, AutoReplenishment", () => new LimiterSide(
                RateLimitPartition.GetTokenBucketLimiter(Key, _ => new TokenBucketRateLimiterOptions { TokenLimit = Permits, TokensPerPeriod = 1, ReplenishmentPeriod = window / Permits, QueueLimit = calls, AutoReplenishment = true }))));
        }

        var results = sides.ToDictionary(s => s.Name, _ => new List<Outcome>());
        for (var round = 0; round < rounds; round++)
        {
            foreach (var (name, create) in round % 2 == 0 ? sides : Enumerable.Reverse(sides))
            {
                using var side = create();
                results[name].Add(await RunSideAsync(side, calls));
            }
        }

        Console.WriteLine($"The call after the quota, {Permits} calls per {ms} (medians of {rounds} rounds; {calls} calls each, made as fast as admitted):");
        Console.WriteLine();
        Console.WriteLine($"| Side | Wait announced before the 6th call | 6th call really waited | Late (+) / early (-) against the quota | Shortest span of 6 admissions (>= {ms} keeps the quota) | Last of {calls} admitted at (the quota allows {window.TotalMilliseconds * ((calls - 1) / Permits):0} ms) |");
        Console.WriteLine("|:-----|-----:|-----:|-----:|-----:|-----:|");
        foreach (var (name, _) in sides)
        {
            var outcomes = results[name];
            var announced = outcomes.Select(o => o.AnnouncedMs).ToList();
            var announcedText = announced.All(a => a is null) ? "nothing (no RetryAfter)" : $"{PacerRatio.Median(announced.Select(a => a ?? double.NaN).ToList()):0.0} ms";
            var sixth = PacerRatio.Median(outcomes.Select(o => o.SixthWaitMs).ToList());
            var late = PacerRatio.Median(outcomes.Select(o => o.SixthAfterFirstMs - window.TotalMilliseconds).ToList());
            var span = outcomes.Min(o => o.ShortestSpanMs);
            var last = PacerRatio.Median(outcomes.Select(o => o.LastMs).ToList());
            Console.WriteLine($"| {name} | {announcedText} | {sixth:0.0} ms | {late:+0.0;-0.0} ms | {span:0.0} ms (min of {rounds}) | {last:0} ms |");
        }

        Console.WriteLine();
    }

    private static async Task<Outcome> RunSideAsync(ISide side, int calls)
    {
        var admitted = new List<long>();
        for (var call = 0; call < Permits; call++)
        {
            await side.AdmitAsync();
            admitted.Add(Stopwatch.GetTimestamp());
        }

        var asked = Stopwatch.GetTimestamp();
        var announced = side.Announce();
        await side.AdmitAsync();
        admitted.Add(Stopwatch.GetTimestamp());
        var sixthWait = Stopwatch.GetElapsedTime(asked, admitted[^1]).TotalMilliseconds;
        while (admitted.Count < calls)
        {
            await side.AdmitAsync();
            admitted.Add(Stopwatch.GetTimestamp());
        }

        var shortest = Enumerable.Range(0, admitted.Count - Permits)
            .Min(i => Stopwatch.GetElapsedTime(admitted[i], admitted[i + Permits]).TotalMilliseconds);
        return new Outcome(
            announced?.TotalMilliseconds,
            sixthWait,
            Stopwatch.GetElapsedTime(admitted[0], admitted[Permits]).TotalMilliseconds,
            shortest,
            Stopwatch.GetElapsedTime(admitted[0], admitted[^1]).TotalMilliseconds);
    }

    private sealed record Outcome(double? AnnouncedMs, double SixthWaitMs, double SixthAfterFirstMs, double ShortestSpanMs, double LastMs);

    private interface ISide : IDisposable
    {
        /// <summary>The wait the side states for the next call, before it starts waiting; null when it cannot say.</summary>
        TimeSpan? Announce();

        Task AdmitAsync();
    }

    /// <summary>The module's way: reserve on the clock, say the wait, then wait it with the default delay of <see cref="DefenderClientOptions"/>.</summary>
    private sealed class PacerSide(TimeSpan window) : ISide
    {
        private readonly DefenderRequestPacer _pacer = new(new DefenderRateLimit(Permits, window));
        private readonly DefenderClientOptions _options = new();
        private DateTimeOffset? _slot;

        public TimeSpan? Announce()
        {
            var now = SystemClock.Instance.UtcNow;
            var wait = _pacer.Reserve(Key, now);
            _slot = now + wait;
            return wait;
        }

        // As the transport does: wait for the reserved instant, again if woken early, and say when the call went.
        public async Task AdmitAsync()
        {
            if (_slot is null)
            {
                Announce();
            }

            var slot = _slot!.Value;
            _slot = null;
            var wait = slot - SystemClock.Instance.UtcNow;
            if (wait > TimeSpan.Zero)
            {
                await _options.Delay(wait, CancellationToken.None);
            }

            await _pacer.FinishWaitAsync(Key, slot, SystemClock.Instance, _options.Delay, CancellationToken.None);
        }

        public void Dispose()
        {
        }
    }

    /// <summary>The library's way: a refused AttemptAcquire is the only place a wait can be read (RetryAfter), then a queued AcquireAsync.</summary>
    private sealed class LimiterSide(RateLimitPartition<string> partition) : ISide
    {
        private readonly PartitionedRateLimiter<string> _limiter = PartitionedRateLimiter.Create<string, string>(_ => partition);

        public TimeSpan? Announce()
        {
            using var lease = _limiter.AttemptAcquire(Key);
            if (lease.IsAcquired)
            {
                throw new InvalidOperationException("The limiter admitted the call after the quota at once.");
            }

            return lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? retryAfter : null;
        }

        public async Task AdmitAsync()
        {
            using var lease = await _limiter.AcquireAsync(Key);
            if (!lease.IsAcquired)
            {
                throw new InvalidOperationException("The limiter refused a queued lease.");
            }
        }

        public void Dispose() => _limiter.Dispose();
    }
}
