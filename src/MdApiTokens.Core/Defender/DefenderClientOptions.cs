using System;
using System.Threading;
using System.Threading.Tasks;

namespace MdApiTokens.Core.Defender;

/// <summary>What an incidents client takes from its surroundings: time, waiting, pacing, retries and a place for progress messages.</summary>
public sealed class DefenderClientOptions
{
    public IClock Clock { get; set; } = SystemClock.Instance;

    /// <summary>Waits (pacing, Retry-After, back-off). Replaced in tests to record waits instead of sleeping; must honour the token.</summary>
    public Func<TimeSpan, CancellationToken, Task> Delay { get; set; } = (wait, token) => Task.Delay(wait, token);

    public DefenderRequestPacer Pacer { get; set; } = DefenderRequestPacer.Shared;

    public DefenderRetryPolicy Retry { get; set; } = new();

    /// <summary>How long one attempt may take, headers and body; a timeout is retried like a network failure.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(100);

    /// <summary>Progress messages (requests, waits, retries); never contain the token. Called from any thread.</summary>
    public Action<string>? Log { get; set; }
}
