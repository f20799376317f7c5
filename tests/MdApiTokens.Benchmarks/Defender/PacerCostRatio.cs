using System.Diagnostics;
using System.Threading.RateLimiting;
using MdApiTokens.Core.Defender;

namespace MdApiTokens.Benchmarks.Defender;

/// <summary>
/// Cost per admitted request while the quota has room: <see cref="DefenderRequestPacer.Reserve"/> against
/// System.Threading.RateLimiting's partitioned limiter (per key a 50-a-minute and a 1,500-an-hour
/// <see cref="SlidingWindowRateLimiter"/>, chained) acquiring a lease, for 20 and 1,000 keys (API host and tenant),
/// on 1, 2 and 4 threads (each thread its own keys, as tenants side by side are). Two states of the quota:
/// <list type="bullet">
/// <item>fresh: the first 50 calls of every key, on new instances (made before the clock starts);</item>
/// <item>steady: every key holding a full hour of calls (1,499 reservations, one every 2.4 s), so each call also drops
/// the reservation that has left the hour: the pacer's worst list. The limiter's cost does not depend on how many
/// permits are in use (a counter per segment), so its limits are raised until they never run out on real time.</item>
/// </list>
/// </summary>
public static class PacerCostRatio
{
    private const int CallsPerRound = 50_000;
    private const int Rounds = 15;
    private static readonly DateTimeOffset s_start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan s_steadyGap = TimeSpan.FromSeconds(2.4);

    public static void Run()
    {
        Console.WriteLine("Cost per admitted request, quota available (median of "
            + $"{Rounds} rounds of {CallsPerRound:N0} calls, the two sides alternating):");
        Console.WriteLine();
        // A whole pass of the smallest case first, discarded: without it the first row measured both sides' code before
        // the JIT's tiers settled (a limiter 3 times slower than in the same row with tiered compilation off).
        var warmKeys = Keys(20);
        Fresh(warmKeys, 1);
        using (var warmLimiter = ChainedLimiter(1 << 30, 1 << 30))
        {
            var warmTick = 1_499;
            Steady(warmKeys, 1, FilledPacer(warmKeys), warmLimiter, ref warmTick);
        }

        Console.WriteLine("Time per call is the wall time of a round over its calls: with more threads than one, on 2 cores, a throughput.");
        Console.WriteLine();
        Console.WriteLine("| Keys | Threads | Quota | DefenderRequestPacer.Reserve | PartitionedRateLimiter (chained sliding windows) AcquireAsync | Pacer / limiter |");
        Console.WriteLine("|-----:|--------:|:------|-----:|-----:|-----:|");
        foreach (var keyCount in new[] { 20, 1_000 })
        {
            var keys = Keys(keyCount);
            foreach (var threads in new[] { 1, 2, 4 })
            {
                var (pacer, limiter) = Fresh(keys, threads);
                Console.WriteLine($"| {keyCount:N0} | {threads} | fresh | {pacer:0} ns | {limiter:0} ns | {pacer / limiter:0.00} |");
            }

            var steadyPacer = FilledPacer(keys);
            using var roomyLimiter = ChainedLimiter(1 << 30, 1 << 30);
            var tick = 1_499;
            foreach (var threads in new[] { 1, 2, 4 })
            {
                var (pacer, limiter) = Steady(keys, threads, steadyPacer, roomyLimiter, ref tick);
                Console.WriteLine($"| {keyCount:N0} | {threads} | steady | {pacer:0} ns | {limiter:0} ns | {pacer / limiter:0.00} |");
            }
        }

        Console.WriteLine();
    }

    private static string[] Keys(int count) => Enumerable.Range(0, count)
        .Select(i => DefenderRequestPacer.KeyFor(new Uri("https://api.security.microsoft.com/"), $"{i:00000000}-0000-0000-0000-000000000000"))
        .ToArray();

    /// <summary>Per key a 50-a-minute limiter and a 1,500-an-hour limiter, chained: a lease holds a permit of both.</summary>
    public static PartitionedRateLimiter<string> ChainedLimiter(int perMinute, int perHour) =>
        PartitionedRateLimiter.CreateChained(
            PartitionedRateLimiter.Create<string, string>(key => RateLimitPartition.GetSlidingWindowLimiter(key, _ => Sliding(perMinute, TimeSpan.FromMinutes(1))), StringComparer.OrdinalIgnoreCase),
            PartitionedRateLimiter.Create<string, string>(key => RateLimitPartition.GetSlidingWindowLimiter(key, _ => Sliding(perHour, TimeSpan.FromHours(1))), StringComparer.OrdinalIgnoreCase));

    private static SlidingWindowRateLimiterOptions Sliding(int permits, TimeSpan window) => new()
    {
        PermitLimit = permits,
        Window = window,
        SegmentsPerWindow = 60,
        QueueLimit = int.MaxValue,
        QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
    };

    private static (double PacerNs, double LimiterNs) Fresh(string[] keys, int threads)
    {
        var instances = Math.Max(1, CallsPerRound / (keys.Length * 50));
        var pacerNs = new List<double>();
        var limiterNs = new List<double>();
        for (var round = -2; round < Rounds; round++)
        {
            var pacers = Enumerable.Range(0, instances).Select(_ => new DefenderRequestPacer()).ToArray();
            var limiters = Enumerable.Range(0, instances).Select(_ => ChainedLimiter(50, 1_500)).ToArray();
            var p = 0.0;
            var l = 0.0;
            void MeasurePacer() => p = OnThreads(keys, threads, mine =>
            {
                foreach (var pacer in pacers)
                {
                    for (var call = 0; call < 50; call++)
                    {
                        var now = s_start + TimeSpan.FromMilliseconds(call);
                        foreach (var key in mine)
                        {
                            Admitted(pacer.Reserve(key, now));
                        }
                    }
                }
            });
            void MeasureLimiter() => l = OnThreads(keys, threads, mine =>
            {
                foreach (var limiter in limiters)
                {
                    for (var call = 0; call < 50; call++)
                    {
                        foreach (var key in mine)
                        {
                            Acquire(limiter, key);
                        }
                    }
                }
            });

            if (round % 2 == 0)
            {
                MeasurePacer();
                MeasureLimiter();
            }
            else
            {
                MeasureLimiter();
                MeasurePacer();
            }

            foreach (var limiter in limiters)
            {
                limiter.Dispose();
            }

            if (round >= 0)
            {
                var calls = (double)instances * keys.Length * 50;
                pacerNs.Add(p / calls);
                limiterNs.Add(l / calls);
            }
        }

        return (PacerRatio.Median(pacerNs), PacerRatio.Median(limiterNs));
    }

    private static (double PacerNs, double LimiterNs) Steady(string[] keys, int threads, DefenderRequestPacer pacer, PartitionedRateLimiter<string> limiter, ref int tick)
    {
        var ticks = Math.Max(1, CallsPerRound / keys.Length);
        var pacerNs = new List<double>();
        var limiterNs = new List<double>();
        for (var round = -2; round < Rounds; round++)
        {
            var first = tick;
            var p = 0.0;
            var l = 0.0;
            void MeasurePacer() => p = OnThreads(keys, threads, mine =>
            {
                for (var t = first; t < first + ticks; t++)
                {
                    var now = s_start + (s_steadyGap * t);
                    foreach (var key in mine)
                    {
                        Admitted(pacer.Reserve(key, now));
                    }
                }
            });
            void MeasureLimiter() => l = OnThreads(keys, threads, mine =>
            {
                for (var t = 0; t < ticks; t++)
                {
                    foreach (var key in mine)
                    {
                        Acquire(limiter, key);
                    }
                }
            });

            if (round % 2 == 0)
            {
                MeasurePacer();
                MeasureLimiter();
            }
            else
            {
                MeasureLimiter();
                MeasurePacer();
            }

            tick += ticks;
            if (round >= 0)
            {
                pacerNs.Add(p / ((double)ticks * keys.Length));
                limiterNs.Add(l / ((double)ticks * keys.Length));
            }
        }

        return (PacerRatio.Median(pacerNs), PacerRatio.Median(limiterNs));
    }

    /// <summary>A pacer whose every key has used the hour: 1,499 reservations 2.4 s apart, the last one 2.4 s ago (25 in the last minute).</summary>
    private static DefenderRequestPacer FilledPacer(string[] keys)
    {
        var pacer = new DefenderRequestPacer();
        for (var t = 0; t < 1_499; t++)
        {
            foreach (var key in keys)
            {
                Admitted(pacer.Reserve(key, s_start + (s_steadyGap * t)));
            }
        }

        return pacer;
    }

    private static void Admitted(TimeSpan wait)
    {
        if (wait != TimeSpan.Zero)
        {
            throw new InvalidOperationException($"The pacer asked for a wait of {wait}: the benchmark's quota was not available.");
        }
    }

    private static void Acquire(PartitionedRateLimiter<string> limiter, string key)
    {
        var pending = limiter.AcquireAsync(key);
        using var lease = pending.IsCompletedSuccessfully ? pending.Result : pending.AsTask().GetAwaiter().GetResult();
        if (!lease.IsAcquired)
        {
            throw new InvalidOperationException("The limiter refused a lease: the benchmark's quota was not available.");
        }
    }

    /// <summary>Runs <paramref name="work"/> on <paramref name="threads"/> threads, each with every n-th key; wall time in ns.</summary>
    private static double OnThreads(string[] keys, int threads, Action<string[]> work)
    {
        using var start = new Barrier(threads + 1);
        var workers = Enumerable.Range(0, threads).Select(t =>
        {
            var mine = keys.Where((_, i) => i % threads == t).ToArray();
            var thread = new Thread(() =>
            {
                start.SignalAndWait();
                work(mine);
            });
            thread.Start();
            return thread;
        }).ToArray();

        start.SignalAndWait();
        var watch = Stopwatch.StartNew();
        foreach (var worker in workers)
        {
            worker.Join();
        }

        return watch.Elapsed.TotalNanoseconds;
    }
}
