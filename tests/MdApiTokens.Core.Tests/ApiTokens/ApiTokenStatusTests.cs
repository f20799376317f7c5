using MdApiTokens.Core.ApiTokens;

namespace MdApiTokens.Core.Tests.ApiTokens;

public class ApiTokenStatusTests
{
    private static readonly DateTimeOffset s_now = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Never_used_is_generated() =>
        Assert.Equal(ApiTokenStatus.Generated, ApiTokenStatusRules.Compute(null, null, s_now));

    [Fact]
    public void Used_exactly_seven_days_ago_is_still_active() =>
        Assert.Equal(ApiTokenStatus.Active, ApiTokenStatusRules.Compute(s_now - TimeSpan.FromDays(7), null, s_now));

    [Fact]
    public void Used_seven_days_and_one_tick_ago_is_inactive() =>
        Assert.Equal(ApiTokenStatus.Inactive, ApiTokenStatusRules.Compute(s_now - TimeSpan.FromDays(7) - TimeSpan.FromTicks(1), null, s_now));

    [Fact]
    public void Used_just_now_is_active() =>
        Assert.Equal(ApiTokenStatus.Active, ApiTokenStatusRules.Compute(s_now, null, s_now));

    [Fact]
    public void Expiry_reached_is_expired_whatever_the_use()
    {
        Assert.Equal(ApiTokenStatus.Expired, ApiTokenStatusRules.Compute(null, s_now, s_now));
        Assert.Equal(ApiTokenStatus.Expired, ApiTokenStatusRules.Compute(s_now, s_now - TimeSpan.FromSeconds(1), s_now));
        Assert.Equal(ApiTokenStatus.Generated, ApiTokenStatusRules.Compute(null, s_now + TimeSpan.FromTicks(1), s_now));
    }

    [Fact]
    public void Status_is_computed_at_read_time_from_the_clock()
    {
        using var fixture = new StoreFixture();
        var issued = fixture.AsAdmin().Issue("siem");
        Assert.Equal(ApiTokenStatus.Generated, fixture.AsAdmin().List().Single().Status);

        Assert.True(fixture.Validator().Validate(issued.Token).IsValid);
        Assert.Equal(ApiTokenStatus.Active, fixture.AsAdmin().List().Single().Status);

        fixture.Clock.Advance(TimeSpan.FromDays(7));
        Assert.Equal(ApiTokenStatus.Active, fixture.AsAdmin().List().Single().Status);

        fixture.Clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(ApiTokenStatus.Inactive, fixture.AsAdmin().List().Single().Status);

        // Status is never stored: the file has no status field to go stale.
        Assert.DoesNotContain("status", fixture.StoreText(), StringComparison.OrdinalIgnoreCase);
    }
}
