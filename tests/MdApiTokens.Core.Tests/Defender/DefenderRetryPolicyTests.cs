using System.Net;
using System.Net.Http.Headers;
using MdApiTokens.Core.Defender;

namespace MdApiTokens.Core.Tests.Defender;

public class DefenderRetryPolicyTests
{
    private static readonly DateTimeOffset s_now = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Retry_after_in_seconds_is_taken_as_is()
    {
        using var response = new HttpResponseMessage((HttpStatusCode)429);
        response.Headers.RetryAfter = new RetryConditionHeaderValue(TimeSpan.FromSeconds(17));
        Assert.Equal(TimeSpan.FromSeconds(17), DefenderRetryPolicy.RetryAfter(response, s_now, null));
    }

    [Fact]
    public void Retry_after_as_a_date_is_the_time_until_then_and_never_negative()
    {
        using var response = new HttpResponseMessage(HttpStatusCode.ServiceUnavailable);
        response.Headers.TryAddWithoutValidation("Retry-After", "Thu, 01 Jan 2026 12:00:45 GMT");
        Assert.Equal(TimeSpan.FromSeconds(45), DefenderRetryPolicy.RetryAfter(response, s_now, null));
        Assert.Equal(TimeSpan.Zero, DefenderRetryPolicy.RetryAfter(response, s_now.AddMinutes(5), null));
    }

    [Fact]
    public void Without_the_header_the_apis_try_again_in_message_is_used()
    {
        using var response = new HttpResponseMessage((HttpStatusCode)429);
        var error = new DefenderApiError("TooManyRequests", "API calls quota exceeded! Maximum allowed 50 per 00:01:00. Try again in 21 seconds", null);
        Assert.Equal(TimeSpan.FromSeconds(21), DefenderRetryPolicy.RetryAfter(response, s_now, error));
        Assert.Null(DefenderRetryPolicy.RetryAfter(response, s_now, new DefenderApiError("TooManyRequests", "Too many requests.", null)));
    }

    [Fact]
    public void Back_off_doubles_from_the_base_with_jitter_in_the_upper_half_and_a_ceiling()
    {
        var jitter = 0.0;
        var policy = new DefenderRetryPolicy { BaseDelay = TimeSpan.FromSeconds(1), MaxDelay = TimeSpan.FromSeconds(10), Random = () => jitter };

        Assert.Equal(TimeSpan.FromSeconds(0.5), policy.Backoff(1));
        Assert.Equal(TimeSpan.FromSeconds(1), policy.Backoff(2));
        Assert.Equal(TimeSpan.FromSeconds(2), policy.Backoff(3));
        jitter = 0.999;
        Assert.InRange(policy.Backoff(3), TimeSpan.FromSeconds(3.99), TimeSpan.FromSeconds(4));
        Assert.InRange(policy.Backoff(30), TimeSpan.FromSeconds(9.99), TimeSpan.FromSeconds(10));
    }

    [Theory]
    [InlineData(429, "GET", true)]
    [InlineData(503, "GET", true)]
    [InlineData(500, "GET", true)]
    [InlineData(502, "GET", true)]
    [InlineData(504, "GET", true)]
    [InlineData(400, "GET", false)]
    [InlineData(401, "GET", false)]
    [InlineData(403, "GET", false)]
    [InlineData(404, "GET", false)]
    [InlineData(429, "PATCH", true)]
    [InlineData(503, "PATCH", true)]
    [InlineData(500, "PATCH", false)]
    public void Which_failures_are_retried(int status, string method, bool retried) =>
        Assert.Equal(retried, DefenderRetryPolicy.IsRetryable((HttpStatusCode)status, new HttpMethod(method)));
}
