using System;
using System.Globalization;
using System.Net;
using System.Net.Http;
using System.Text.RegularExpressions;

namespace MdApiTokens.Core.Defender;

/// <summary>
/// When a failed call is tried again, and after how long: 429 and 503 wait what Retry-After says (delta-seconds or
/// an HTTP date); other transient failures (500, 502, 504, network errors, timeouts) back off exponentially with
/// jitter. Attempts are bounded.
/// </summary>
public sealed class DefenderRetryPolicy
{
    private static readonly Regex s_tryAgainIn = new(@"try again in (\d{1,6}) second", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);
    private static readonly object s_randomGate = new();
    private static readonly Random s_random = new();

    /// <summary>Attempts per call, the first included.</summary>
    public int MaxAttempts { get; set; } = 5;

    /// <summary>The first back-off; each further one doubles, up to <see cref="MaxDelay"/>.</summary>
    public TimeSpan BaseDelay { get; set; } = TimeSpan.FromSeconds(1);

    public TimeSpan MaxDelay { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>A Retry-After longer than this is not waited out: the call fails with DefenderThrottled, saying when to try again.</summary>
    public TimeSpan MaxRetryAfter { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>A number in [0, 1) for jitter; replaceable so tests are deterministic.</summary>
    public Func<double> Random { get; set; } = NextRandom;

    /// <summary>Whether a response with this status may be retried for this method (PATCH only when the API says it did not process it).</summary>
    public static bool IsRetryable(HttpStatusCode status, HttpMethod method)
    {
        var code = (int)status;
        if (code is 429 or 503)
        {
            return true;
        }

        // A PATCH that failed with 500/502/504 may have been applied (a comment would be added twice): not retried.
        return method == HttpMethod.Get && code is 500 or 502 or 504 or 408;
    }

    /// <summary>The wait before attempt <paramref name="failedAttempts"/> + 1: half the exponential step plus a random part of the other half.</summary>
    public TimeSpan Backoff(int failedAttempts)
    {
        var exponent = Math.Min(Math.Max(failedAttempts - 1, 0), 20);
        var ceiling = Math.Min(BaseDelay.TotalMilliseconds * Math.Pow(2, exponent), MaxDelay.TotalMilliseconds);
        var jitter = Math.Min(Math.Max(Random(), 0), 1);
        return TimeSpan.FromMilliseconds((ceiling / 2) + (ceiling / 2 * jitter));
    }

    /// <summary>
    /// How long the response asks to wait: its Retry-After header (seconds, or an HTTP date relative to
    /// <paramref name="now"/>), else a "try again in N seconds" in the API's error message; null when it says nothing.
    /// </summary>
    public static TimeSpan? RetryAfter(HttpResponseMessage response, DateTimeOffset now, DefenderApiError? error)
    {
        var header = response.Headers.RetryAfter;
        if (header?.Delta is { } delta)
        {
            return delta < TimeSpan.Zero ? TimeSpan.Zero : delta;
        }

        if (header?.Date is { } date)
        {
            var wait = date - now;
            return wait < TimeSpan.Zero ? TimeSpan.Zero : wait;
        }

        if (error?.Message is { } message && s_tryAgainIn.Match(message) is { Success: true } match)
        {
            return TimeSpan.FromSeconds(int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture));
        }

        return null;
    }

    private static double NextRandom()
    {
        lock (s_randomGate)
        {
            return s_random.NextDouble();
        }
    }
}
