using System;

namespace MdApiTokens.Core.Shared;

/// <summary>Random spread for waits, so processes backing off from the same contention do not retry in step. Not for secrets.</summary>
public static class Jitter
{
    [ThreadStatic]
    private static Random? s_random;

    /// <summary>A random whole number from 0 up to, not including, <paramref name="maxExclusive"/>; thread-safe.</summary>
    public static int Next(int maxExclusive) =>
        (s_random ??= new Random(Guid.NewGuid().GetHashCode())).Next(maxExclusive);
}
