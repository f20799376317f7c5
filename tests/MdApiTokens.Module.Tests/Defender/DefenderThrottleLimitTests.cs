using System.Management.Automation;
using MdApiTokens.Testing.Defender;
using MdApiTokens.Tests.Shared;

namespace MdApiTokens.Module.Tests.Defender;

/// <summary>Piped tenants worked on side by side, each under its own quota, with output from the pipeline thread.</summary>
public sealed class DefenderThrottleLimitTests : DefenderTestBase
{
    private const string TenantC = "cccccccc-0000-0000-0000-00000000000c";

    [Fact]
    public void Three_tenants_with_ThrottleLimit_3_are_requested_at_the_same_time()
    {
        Fake.AddIncidents(2);
        HoldUntilConcurrent(3);

        var result = Session.Run("$tokens | Get-DefenderIncident -ApiUri $api -ThrottleLimit 3", Vars(("tokens", Tokens(TenantA, TenantB, TenantC)))).Succeeded();

        Assert.Equal(6, Incidents(result).Count);
        Assert.Equal(new[] { TenantA, TenantB, TenantC }, Incidents(result).Select(i => (string)Prop(i, "TenantId")!).Distinct().OrderBy(t => t));
        Assert.All(new[] { TenantA, TenantB, TenantC }, t => Assert.Equal(new long[] { 1000, 999 }, Incidents(result).Where(i => (string?)Prop(i, "TenantId") == t).Select(Id)));
    }

    [Fact]
    public void ThrottleLimit_1_does_one_tenant_after_another_in_order()
    {
        Fake.AddIncidents(3);
        var concurrent = 0;
        var most = 0;
        Fake.BeforeResponse = async () =>
        {
            most = Math.Max(most, Interlocked.Increment(ref concurrent));
            await Task.Yield();
            Interlocked.Decrement(ref concurrent);
        };

        var result = Session.Run("$tokens | Get-DefenderIncident -ApiUri $api -ThrottleLimit 1 -Top 2", Vars(("tokens", Tokens(TenantA, TenantB, TenantC)))).Succeeded();

        Assert.Equal(1, most);
        Assert.Equal(new[] { TenantA, TenantA, TenantA, TenantB, TenantB, TenantB, TenantC, TenantC, TenantC }, Incidents(result).Select(i => Prop(i, "TenantId")));
    }

    [Fact]
    public void A_failing_tenant_is_a_non_terminating_error_and_the_others_are_listed_side_by_side()
    {
        Fake.AddIncidents(1);
        HoldUntilConcurrent(3);
        Fake.RejectedTokens[TestJwt.Create(TenantB)] = true;

        var result = Session.Run("$tokens | Get-DefenderIncident -ApiUri $api -ThrottleLimit 3", Vars(("tokens", Tokens(TenantA, TenantB, TenantC))));

        var error = result.SingleError("DefenderAuthenticationFailed", ErrorCategory.AuthenticationError);
        Assert.Equal(TenantB, error.TargetObject);
        Assert.Equal(new[] { TenantA, TenantC }, Incidents(result).Select(i => (string)Prop(i, "TenantId")!).OrderBy(t => t));
    }

    [Fact]
    public void Records_of_one_tenant_keep_their_order_when_tenants_run_side_by_side()
    {
        Fake.AddIncidents(4, firstId: 40);

        var result = Session.Run(
            "Get-DefenderIncident -ApiUri $api -AccessToken $token | Set-DefenderIncident -AccessToken $token -ApiUri $api -Status InProgress -ThrottleLimit 4 -Confirm:$false",
            Vars()).Succeeded();

        Assert.Equal(new long[] { 40, 39, 38, 37 }, Incidents(result).Select(Id));
        Assert.Equal(new[] { "/api/incidents/40", "/api/incidents/39", "/api/incidents/38", "/api/incidents/37" }, Fake.Requests.Where(r => r.Method == "PATCH").Select(r => r.Path));
    }

    [Fact]
    public void Each_tenant_is_paced_under_its_own_quota()
    {
        Fake.AddIncidents(30);

        var result = Session.Run("$tokens | Get-DefenderIncident -ApiUri $api -Top 1", Vars(("tokens", Tokens(TenantA, TenantB)))).Succeeded();

        Assert.Equal(60, Incidents(result).Count);
        Assert.Equal(62, Fake.Requests.Count);

        // 31 calls a tenant within the minute: under one shared quota the 51st call would wait.
        Assert.Empty(Waits);

        Fake.Incidents.Clear();
        Fake.AddIncidents(60);
        Session.Run("Get-DefenderIncident -ApiUri $api -AccessToken $token -Top 1 | Out-Null", Vars()).Succeeded();
        Assert.NotEmpty(Waits);
    }

    [Fact]
    public void Ctrl_C_stops_every_tenant_in_flight()
    {
        Fake.AddIncidents(1);
        var arrived = 0;
        var three = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Fake.BeforeResponse = async () =>
        {
            if (Interlocked.Increment(ref arrived) == 3)
            {
                three.TrySetResult();
            }

            await Task.WhenAny(release.Task, Task.Delay(TimeSpan.FromSeconds(30)));
        };
        AssertCtrlCStopsEveryTenant("$tokens | Get-DefenderIncident -ApiUri $api -ThrottleLimit 3", Tokens(TenantA, TenantB, TenantC), Fake.BaseUri, three.Task, release, () => Fake.Requests.Count, 3);
    }

    private static object[] Tokens(params string[] tenants) => tenants.Select(t => PartnerToken(t)).ToArray();

    /// <summary>Holds each of the first <paramref name="count"/> requests until that many are in flight; fails them if they never are.</summary>
    private void HoldUntilConcurrent(int count)
    {
        var arrived = 0;
        var all = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Fake.BeforeResponse = async () =>
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
