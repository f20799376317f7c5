using System.Management.Automation;
using MdApiTokens.Module.Tests.Infrastructure;

namespace MdApiTokens.Module.Tests.Defender;

/// <summary>Hunting queries and API requests for piped tenants worked on side by side, with output from the pipeline thread.</summary>
public sealed class HuntingThrottleLimitTests : HuntingTestBase
{
    private static readonly string[] s_allTenants = { TenantA, TenantB, TenantC };

    [Fact]
    public void Three_tenants_hunting_queries_with_ThrottleLimit_3_are_requested_at_the_same_time()
    {
        AddRows(2);
        HoldUntilConcurrent(3);

        var result = Session.Run("$tokens | Invoke-DefenderHuntingQuery -Query 'DeviceInfo' -ApiUri $api -ThrottleLimit 3", HuntVars(("tokens", Tokens(s_allTenants)))).Succeeded();

        Assert.Equal(6, result.Output.Count);
        Assert.All(s_allTenants, t => Assert.Equal(new[] { $"{t[..4]}-pc0", $"{t[..4]}-pc1" }, result.Output.Where(r => (string?)Prop(r, "TenantId") == t).Select(r => Prop(r, "DeviceName"))));
    }

    [Fact]
    public void Hunting_with_ThrottleLimit_1_asks_one_tenant_after_another_in_input_order()
    {
        AddRows(2);
        var most = TrackConcurrency();

        var result = Session.Run("$tokens | Invoke-DefenderHuntingQuery -Query 'DeviceInfo' -ApiUri $api -ThrottleLimit 1", HuntVars(("tokens", Tokens(TenantC, TenantA, TenantB)))).Succeeded();

        Assert.Equal(1, most());
        Assert.Equal(new[] { TenantC, TenantC, TenantA, TenantA, TenantB, TenantB }, result.Output.Select(r => Prop(r, "TenantId")));
    }

    [Fact]
    public void A_failing_tenant_is_a_non_terminating_error_and_the_other_tenants_hunting_goes_on_side_by_side()
    {
        AddRows(1);
        HoldUntilConcurrent(3);
        Hunting.RejectedTenants[TenantB] = true;

        var result = Session.Run("$tokens | Invoke-DefenderHuntingQuery -Query 'DeviceInfo' -ApiUri $api -ThrottleLimit 3", HuntVars(("tokens", Tokens(s_allTenants))));

        var error = result.SingleError("DefenderAuthenticationFailed", ErrorCategory.AuthenticationError);
        Assert.Equal(TenantB, error.TargetObject);
        Assert.Equal(new[] { TenantA, TenantC }, result.Output.Select(r => (string)Prop(r, "TenantId")!).OrderBy(t => t));
    }

    [Fact]
    public void Three_tenants_API_requests_with_ThrottleLimit_3_are_in_flight_together_and_a_failing_one_stops_no_other()
    {
        Hunting.AddMachinePages(4, pageSize: 2);
        HoldUntilConcurrent(3);
        Hunting.RejectedTenants[TenantA] = true;

        var result = Session.Run("$tokens | Invoke-DefenderApiRequest -ApiUri $api -Path api/machines -All -ThrottleLimit 3", HuntVars(("tokens", Tokens(s_allTenants))));

        Assert.Equal(TenantA, result.SingleError("DefenderAuthenticationFailed", ErrorCategory.AuthenticationError).TargetObject);
        Assert.All(new[] { TenantB, TenantC }, t => Assert.Equal(
            new[] { "machine-1", "machine-2", "machine-3", "machine-4" },
            result.Output.Where(o => (string?)Prop(o, "TenantId") == t).Select(o => Prop(o, "id"))));
    }

    [Fact]
    public void API_requests_with_ThrottleLimit_1_call_one_tenant_after_another_in_input_order()
    {
        Hunting.AddMachinePages(3, pageSize: 2);
        var most = TrackConcurrency();

        var result = Session.Run("$tokens | Invoke-DefenderApiRequest -ApiUri $api -Path api/machines -All -ThrottleLimit 1", HuntVars(("tokens", Tokens(TenantB, TenantA)))).Succeeded();

        Assert.Equal(1, most());
        Assert.Equal(new[] { TenantB, TenantB, TenantB, TenantA, TenantA, TenantA }, result.Output.Select(o => Prop(o, "TenantId")));
    }

    [Fact]
    public void A_change_is_confirmed_for_each_tenant_before_its_request_and_WhatIf_sends_none()
    {
        var result = Session.Run("$tokens | Invoke-DefenderApiRequest -ApiUri $api -Method Post -Path api/machines/x/isolate -Body '{}' -WhatIf", HuntVars(("tokens", Tokens(s_allTenants)))).Succeeded();

        Assert.Empty(result.Output);
        Assert.Empty(Hunting.Requests);
    }

    [Fact]
    public void Ctrl_C_stops_every_tenants_hunting_query_in_flight()
    {
        var arrived = 0;
        var three = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Hunting.BeforeResponse = async () =>
        {
            if (Interlocked.Increment(ref arrived) == 3)
            {
                three.TrySetResult();
            }

            await Task.WhenAny(release.Task, Task.Delay(TimeSpan.FromSeconds(30)));
        };
        AssertCtrlCStopsEveryTenant("$tokens | Invoke-DefenderHuntingQuery -Query 'DeviceInfo' -ApiUri $api -ThrottleLimit 3", Tokens(s_allTenants), Hunting.BaseUri, three.Task, release, () => Hunting.Requests.Count, 3);
    }

    private static object[] Tokens(params string[] tenants) => tenants.Select(t => PartnerToken(t)).ToArray();

    private void AddRows(int count)
    {
        foreach (var tenant in s_allTenants)
        {
            Hunting.AddRows(tenant, count);
        }
    }

    /// <summary>Records how many requests the fake answers at once; the returned function reads the most.</summary>
    private Func<int> TrackConcurrency()
    {
        var concurrent = 0;
        var most = 0;
        Hunting.BeforeResponse = async () =>
        {
            var now = Interlocked.Increment(ref concurrent);
            InterlockedMax(ref most, now);
            await Task.Yield();
            Interlocked.Decrement(ref concurrent);
        };
        return () => Volatile.Read(ref most);
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int seen;
        while ((seen = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, seen) != seen)
        {
        }
    }

    /// <summary>Holds each of the first <paramref name="count"/> requests until that many are in flight; fails them if they never are.</summary>
    private void HoldUntilConcurrent(int count)
    {
        var arrived = 0;
        var all = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Hunting.BeforeResponse = async () =>
        {
            if (Interlocked.Increment(ref arrived) == count)
            {
                all.TrySetResult();
            }

            if (await Task.WhenAny(all.Task, Task.Delay(TimeSpan.FromSeconds(20))) != all.Task)
            {
                throw new TimeoutException($"only {arrived} of {count} requests arrived together");
            }
        };
    }
}
