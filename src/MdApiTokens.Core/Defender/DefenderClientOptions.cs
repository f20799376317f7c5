using System;
using System.Threading;
using System.Threading.Tasks;

namespace MdApiTokens.Core.Defender;

/// <summary>What a Defender API client takes from its surroundings: time, waiting, pacing, retries, limits and a place for progress messages.</summary>
public sealed class DefenderClientOptions
{
    public IClock Clock { get; set; } = SystemClock.Instance;

    /// <summary>Waits (pacing, Retry-After, back-off). Replaced in tests to record waits instead of sleeping; must honour the token.</summary>
    public Func<TimeSpan, CancellationToken, Task> Delay { get; set; } = (wait, token) => Task.Delay(wait, token);

    public DefenderRequestPacer Pacer { get; set; } = DefenderRequestPacer.Shared;

    public DefenderRetryPolicy Retry { get; set; } = new();

    /// <summary>How long an attempt waits for the response headers; a timeout is retried like a network failure.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(100);

    /// <summary>How long the body may go without a byte arriving before the attempt fails as timed out (and is retried like one).</summary>
    public TimeSpan BodyStallTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The largest response body read (64 MiB); a larger one fails with <see cref="DefenderErrors.ResponseTooLarge"/>.</summary>
    public long MaxResponseBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>Progress messages (requests, waits, retries), each naming the tenant; never contain the token. Called from any thread.</summary>
    public Action<string>? Log { get; set; }

    /// <summary>Told before each wait (quota, Retry-After, back-off) how long it will be and why. Called from any thread.</summary>
    public Action<DefenderWait>? Waiting { get; set; }
}
