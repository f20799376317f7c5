using System;

namespace MdApiTokens.Core;

/// <summary>The current time; injected so tests can move it without sleeping.</summary>
public interface IClock
{
    DateTimeOffset UtcNow { get; }
}

/// <summary>The machine's clock.</summary>
public sealed class SystemClock : IClock
{
    public static SystemClock Instance { get; } = new();

    private SystemClock() { }

    public DateTimeOffset UtcNow => DateTimeOffset.UtcNow;
}

/// <summary>A clock whose time is read from a delegate (used by hosts that inject time, such as the module's tests).</summary>
public sealed class DelegateClock : IClock
{
    private readonly Func<DateTimeOffset> _now;

    public DelegateClock(Func<DateTimeOffset> now) => _now = now ?? throw new ArgumentNullException(nameof(now));

    public DateTimeOffset UtcNow => _now().ToUniversalTime();
}
