using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace MdApiTokens.Core.Defender;

/// <summary>
/// Keeps calls to the Defender API under its documented limits (50 a minute, 1,500 an hour) per API host and
/// tenant, process-wide, so a listing of many pages waits its turn instead of running into 429s. Each call reserves
/// the earliest instant at which it fits every window; the caller waits until then. Reservations are computed from
/// the clock given, never by polling it, so an injected clock and delay make the waits observable without sleeping.
/// </summary>
public sealed class DefenderRequestPacer
{
    private readonly object _gate = new();
    private readonly Dictionary<string, List<DateTimeOffset>> _reservations = new(StringComparer.OrdinalIgnoreCase);
    private readonly DefenderRateLimit[] _limits;
    private readonly TimeSpan _longestWindow;
    private DateTimeOffset _lastSweep = DateTimeOffset.MinValue;

    /// <summary>A pacer with the documented limits of the incidents API.</summary>
    public DefenderRequestPacer()
        : this(new DefenderRateLimit(50, TimeSpan.FromMinutes(1)), new DefenderRateLimit(1500, TimeSpan.FromHours(1)))
    {
    }

    public DefenderRequestPacer(params DefenderRateLimit[] limits)
    {
        if (limits is null || limits.Length == 0)
        {
            throw new ArgumentException("At least one limit is required.", nameof(limits));
        }

        _limits = limits;
        _longestWindow = TimeSpan.Zero;
        foreach (var limit in limits)
        {
            _longestWindow = limit.Window > _longestWindow ? limit.Window : _longestWindow;
        }
    }

    private DefenderRequestPacer(bool off)
    {
        _limits = Array.Empty<DefenderRateLimit>();
        _longestWindow = TimeSpan.Zero;
    }

    /// <summary>The pacer every client in the process shares by default.</summary>
    public static DefenderRequestPacer Shared { get; } = new();

    /// <summary>A pacer that never waits: for tests and benchmarks against a fake of the API, never for the real one.</summary>
    public static DefenderRequestPacer Off { get; } = new(off: true);

    public IReadOnlyList<DefenderRateLimit> Limits => _limits;

    /// <summary>The key calls are counted under: one budget per API host and tenant.</summary>
    public static string KeyFor(Uri apiBase, string? tenantId) => apiBase.Authority + "|" + (tenantId ?? "(unknown tenant)");

    /// <summary>Reserves a call for <paramref name="key"/> and returns how long to wait from <paramref name="now"/> before making it.</summary>
    public TimeSpan Reserve(string key, DateTimeOffset now)
    {
        if (_limits.Length == 0)
        {
            return TimeSpan.Zero;
        }

        lock (_gate)
        {
            SweepIdleKeys(now);
            if (!_reservations.TryGetValue(key, out var times))
            {
                times = new List<DateTimeOffset>();
                _reservations[key] = times;
            }

            // Reservations older than the longest window can no longer hold anyone back.
            var stale = 0;
            while (stale < times.Count && times[stale] <= now - _longestWindow)
            {
                stale++;
            }

            times.RemoveRange(0, stale);

            // Calls keep their order: never earlier than the last reservation.
            var slot = times.Count > 0 && times[times.Count - 1] > now ? times[times.Count - 1] : now;
            foreach (var limit in _limits)
            {
                if (times.Count >= limit.Calls)
                {
                    var freedAt = times[times.Count - limit.Calls] + limit.Window;
                    slot = freedAt > slot ? freedAt : slot;
                }
            }

            times.Add(slot);
            return slot - now;
        }
    }

    /// <summary>
    /// After the caller's own wait for <paramref name="reserved"/>: waits again while <paramref name="clock"/> is still
    /// before it (a timer may end a millisecond early against the clock the reservation was made on), then tells the
    /// pacer when the call goes (<see cref="Sent"/>).
    /// </summary>
    public async Task FinishWaitAsync(string key, DateTimeOffset reserved, IClock clock, Func<TimeSpan, CancellationToken, Task> delay, CancellationToken cancellationToken)
    {
        for (var remaining = reserved - clock.UtcNow; remaining > TimeSpan.Zero; remaining = reserved - clock.UtcNow)
        {
            await delay(remaining, cancellationToken).ConfigureAwait(false);
        }

        Sent(key, reserved, clock.UtcNow);
    }

    /// <summary>
    /// Tells the pacer that the call reserved for <paramref name="reserved"/> (the instant <see cref="Reserve"/> gave:
    /// its <c>now</c> plus the wait) went at <paramref name="sent"/>. A wait that ended late (a busy machine, a timer's
    /// granularity) would otherwise leave the call counted at its reserved instant, and the calls after it would go
    /// early by as much and run into the API's limit; it now holds the windows from when it really went.
    /// </summary>
    public void Sent(string key, DateTimeOffset reserved, DateTimeOffset sent)
    {
        if (_limits.Length == 0 || sent <= reserved)
        {
            return;
        }

        lock (_gate)
        {
            if (!_reservations.TryGetValue(key, out var times))
            {
                return;
            }

            var at = times.LastIndexOf(reserved);
            if (at < 0)
            {
                return;
            }

            // Kept in order: the windows are counted from the oldest entries.
            times.RemoveAt(at);
            var to = times.Count;
            while (to > 0 && times[to - 1] > sent)
            {
                to--;
            }

            times.Insert(to, sent);
        }
    }

    // Once per longest window: a tenant not called for that long holds nobody back, so its list goes (a runbook over
    // thousands of tenants in one process does not keep them all).
    private void SweepIdleKeys(DateTimeOffset now)
    {
        if (now - _lastSweep < _longestWindow)
        {
            return;
        }

        _lastSweep = now;
        List<string>? idle = null;
        foreach (var entry in _reservations)
        {
            if (entry.Value.Count == 0 || entry.Value[entry.Value.Count - 1] <= now - _longestWindow)
            {
                (idle ??= new List<string>()).Add(entry.Key);
            }
        }

        if (idle is not null)
        {
            foreach (var key in idle)
            {
                _reservations.Remove(key);
            }
        }
    }

    /// <summary>How many keys hold reservations (for tests).</summary>
    internal int KeyCount
    {
        get
        {
            lock (_gate)
            {
                return _reservations.Count;
            }
        }
    }
}

/// <summary>At most <see cref="Calls"/> calls in any <see cref="Window"/>.</summary>
public sealed class DefenderRateLimit
{
    public DefenderRateLimit(int calls, TimeSpan window)
    {
        Calls = calls > 0 ? calls : throw new ArgumentOutOfRangeException(nameof(calls));
        Window = window > TimeSpan.Zero ? window : throw new ArgumentOutOfRangeException(nameof(window));
    }

    public int Calls { get; }

    public TimeSpan Window { get; }

    public override string ToString() => $"{Calls} calls per {Window}";
}
