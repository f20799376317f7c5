using MdApiTokens.Core.Defender;

namespace MdApiTokens.Core.Tests.Defender;

public class DefenderRequestPacerTests
{
    private static readonly DateTimeOffset s_start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void The_first_50_calls_in_a_minute_go_at_once_and_the_51st_waits_for_the_window()
    {
        var pacer = new DefenderRequestPacer();
        for (var i = 0; i < 50; i++)
        {
            Assert.Equal(TimeSpan.Zero, pacer.Reserve("host|t1", s_start.AddSeconds(i)));
        }

        // The 51st, at 50 s: the first call (at 0 s) leaves the window at 60 s.
        Assert.Equal(TimeSpan.FromSeconds(10), pacer.Reserve("host|t1", s_start.AddSeconds(50)));
        // The 52nd waits for the second call (1 s) to leave it.
        Assert.Equal(TimeSpan.FromSeconds(11), pacer.Reserve("host|t1", s_start.AddSeconds(50)));
    }

    [Fact]
    public void A_long_listing_never_exceeds_50_a_minute_or_1500_an_hour()
    {
        var pacer = new DefenderRequestPacer();
        var now = s_start;
        var sent = new List<DateTimeOffset>();
        for (var i = 0; i < 1600; i++)
        {
            now += pacer.Reserve("host|t1", now);
            sent.Add(now);
        }

        for (var i = 50; i < sent.Count; i++)
        {
            Assert.True(sent[i] - sent[i - 50] >= TimeSpan.FromMinutes(1), $"call {i} is the 51st within a minute");
        }

        for (var i = 1500; i < sent.Count; i++)
        {
            Assert.True(sent[i] - sent[i - 1500] >= TimeSpan.FromHours(1), $"call {i} is the 1501st within an hour");
        }

        // 1,500 calls fit in the first hour (30 minutes at 50 a minute), the 1,501st waits for the hour.
        Assert.Equal(s_start.AddHours(1), sent[1500]);
    }

    // Found by the pacer benchmark (docs/benchmarks.md): on a busy machine the 6th of 5-per-500-ms calls left up to
    // 200 ms after its reservation, and the next five went out within 298 ms of it, because the pacer counted a call
    // at the instant it reserved. The transport now tells it when a waited call really went.
    [Fact]
    public void A_call_whose_wait_ends_late_holds_the_window_from_when_it_went()
    {
        var pacer = new DefenderRequestPacer(new DefenderRateLimit(5, TimeSpan.FromMinutes(1)));
        var now = s_start;
        var sent = new List<DateTimeOffset>();
        for (var i = 0; i < 11; i++)
        {
            var wait = pacer.Reserve("host|t1", now);
            var reserved = now + wait;

            // The 6th call's wait (a minute) ends 20 s late; every other call goes at its reserved instant.
            now = reserved + (i == 5 ? TimeSpan.FromSeconds(20) : TimeSpan.Zero);
            pacer.Sent("host|t1", reserved, now);
            sent.Add(now);
        }

        // Without Sent, calls 6 to 11 went within 40 s: six in a minute.
        Assert.True(sent[10] - sent[5] >= TimeSpan.FromMinutes(1), $"the 11th call went {(sent[10] - sent[5]).TotalSeconds} s after the 6th");
    }

    [Fact]
    public void A_late_call_reported_after_later_reservations_keeps_every_window_in_order()
    {
        var pacer = new DefenderRequestPacer(new DefenderRateLimit(2, TimeSpan.FromMinutes(1)));
        Assert.Equal(TimeSpan.Zero, pacer.Reserve("host|t1", s_start));
        Assert.Equal(TimeSpan.Zero, pacer.Reserve("host|t1", s_start));

        // A third caller reserves (a minute on), then the first says it went 30 s late.
        Assert.Equal(TimeSpan.FromMinutes(1), pacer.Reserve("host|t1", s_start));
        pacer.Sent("host|t1", s_start, s_start.AddSeconds(30));

        // Now held: 0 s, 30 s and 60 s. The next fits once 30 s leaves the window: at 90 s.
        Assert.Equal(TimeSpan.FromSeconds(90), pacer.Reserve("host|t1", s_start));
    }

    [Fact]
    public void Sent_on_time_early_for_an_unknown_key_or_an_unknown_instant_changes_nothing()
    {
        var pacer = new DefenderRequestPacer(new DefenderRateLimit(2, TimeSpan.FromMinutes(1)));
        pacer.Reserve("host|t1", s_start);
        pacer.Reserve("host|t1", s_start.AddSeconds(10));

        pacer.Sent("host|t1", s_start, s_start);
        pacer.Sent("host|t1", s_start, s_start.AddSeconds(-5));
        pacer.Sent("host|other", s_start, s_start.AddSeconds(40));
        pacer.Sent("host|t1", s_start.AddSeconds(3), s_start.AddSeconds(40));

        Assert.Equal(TimeSpan.FromSeconds(60), pacer.Reserve("host|t1", s_start));
        DefenderRequestPacer.Off.Sent("host|t1", s_start, s_start.AddHours(1));
        Assert.Equal(TimeSpan.Zero, DefenderRequestPacer.Off.Reserve("host|t1", s_start));
    }

    [Fact]
    public void Tenants_idle_for_the_longest_window_are_forgotten_and_start_with_a_full_budget()
    {
        var pacer = new DefenderRequestPacer(new DefenderRateLimit(1, TimeSpan.FromMinutes(1)));
        for (var i = 0; i < 100; i++)
        {
            pacer.Reserve("host|t" + i, s_start);
        }

        Assert.Equal(100, pacer.KeyCount);
        Assert.Equal(TimeSpan.FromSeconds(30), pacer.Reserve("host|t0", s_start.AddSeconds(30)));

        // A minute after t0's last reservation every other tenant is idle; t0 (reserved up to 60 s) too at 61 s.
        Assert.Equal(TimeSpan.Zero, pacer.Reserve("host|new", s_start.AddSeconds(121)));
        Assert.Equal(1, pacer.KeyCount);
        Assert.Equal(TimeSpan.Zero, pacer.Reserve("host|t1", s_start.AddSeconds(121)));
    }

    [Fact]
    public void Tenants_and_hosts_have_separate_budgets()
    {
        var pacer = new DefenderRequestPacer(new DefenderRateLimit(2, TimeSpan.FromMinutes(1)));
        pacer.Reserve("host|a", s_start);
        pacer.Reserve("host|a", s_start);

        Assert.Equal(TimeSpan.Zero, pacer.Reserve("host|b", s_start));
        Assert.Equal(TimeSpan.Zero, pacer.Reserve("other|a", s_start));
        Assert.Equal(TimeSpan.FromMinutes(1), pacer.Reserve("host|a", s_start));
    }

    [Fact]
    public void The_key_is_the_host_and_tenant() =>
        Assert.Equal("eu.api.security.microsoft.com|t1", DefenderRequestPacer.KeyFor(new Uri("https://eu.api.security.microsoft.com/"), "t1"));
}
