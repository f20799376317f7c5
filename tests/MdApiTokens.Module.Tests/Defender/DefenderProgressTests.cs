using System.Management.Automation;
using MdApiTokens.Testing.Defender;

namespace MdApiTokens.Module.Tests.Defender;

/// <summary>Progress records and verbose lines of a paced listing, as the engine's streams carry them.</summary>
public sealed class DefenderProgressTests : DefenderTestBase
{
    [Fact]
    public void A_paced_multi_page_listing_across_two_tenants_shows_tenants_pages_items_and_the_quota_wait()
    {
        Fake.AddIncidents(60);

        var (output, progress, _) = Run("$tokens | Get-DefenderIncident -ApiUri $api -Top 1 -ThrottleLimit 1");

        Assert.Equal(120, output.Count);

        // Nothing before a second has passed: the first record is the wait that moved the clock a minute.
        var first = progress[0];
        Assert.Equal("Get-DefenderIncident", first.Activity);
        Assert.Contains("quota", first.CurrentOperation);
        Assert.Contains(TenantA, first.CurrentOperation);
        Assert.Equal(60, first.SecondsRemaining);
        Assert.StartsWith("0 tenants done, 1 so far, 50 pages, 50 incidents", first.StatusDescription);

        // Tenant B's own 51st call waits for its own quota.
        Assert.Contains(progress, p => p.CurrentOperation?.Contains("quota") == true && p.CurrentOperation.Contains(TenantB));
        Assert.Contains(progress, p => p.StatusDescription.StartsWith("1 tenants done, 2 so far", StringComparison.Ordinal));

        // The total is known once the input has ended; then the bar is taken away.
        var last = progress[^2];
        Assert.Equal("2 of 2 tenants done, 122 pages, 120 incidents", last.StatusDescription);
        Assert.Equal(100, last.PercentComplete);
        Assert.Equal(ProgressRecordType.Completed, progress[^1].RecordType);
        Assert.All(progress, p => Assert.Equal(first.ActivityId, p.ActivityId));
        Assert.All(progress, p => Assert.DoesNotContain(TokenA, p.StatusDescription + p.CurrentOperation));
    }

    [Fact]
    public void Tenants_side_by_side_report_the_total_once_the_input_has_ended()
    {
        Fake.AddIncidents(55);

        var (output, progress, _) = Run("$tokens | Get-DefenderIncident -ApiUri $api -Top 1");

        Assert.Equal(110, output.Count);
        Assert.Contains(progress, p => p.CurrentOperation?.Contains("quota") == true);
        Assert.Contains(progress, p => p.StatusDescription.Contains(" of 2 tenants done", StringComparison.Ordinal));
        Assert.Equal(ProgressRecordType.Completed, progress[^1].RecordType);
        Assert.Single(progress, p => p.RecordType == ProgressRecordType.Completed);
    }

    [Fact]
    public void Work_that_ends_within_a_second_shows_no_progress()
    {
        Fake.AddIncidents(30);

        var (output, progress, _) = Run("$tokens | Get-DefenderIncident -ApiUri $api -Top 1");

        Assert.Equal(60, output.Count);
        Assert.Empty(progress);
    }

    [Fact]
    public void ProgressPreference_SilentlyContinue_is_honoured()
    {
        Fake.AddIncidents(60);

        var (output, progress, _) = Run("$ProgressPreference = 'SilentlyContinue'; $tokens | Get-DefenderIncident -ApiUri $api -Top 1");

        Assert.Equal(120, output.Count);
        Assert.Empty(progress);
    }

    [Fact]
    public void Updates_over_many_incidents_count_what_was_updated()
    {
        Fake.AddIncidents(60);

        var (output, progress, _) = Run("Get-DefenderIncident -ApiUri $api -AccessToken $token | Set-DefenderIncident -ApiUri $api -AccessToken $token -Status InProgress -Confirm:$false");

        Assert.Equal(60, output.Count);
        Assert.Contains(progress, p => p.Activity == "Set-DefenderIncident" && p.CurrentOperation?.Contains("quota") == true);
        Assert.Contains(progress, p => p.Activity == "Set-DefenderIncident" && p.StatusDescription.EndsWith("60 incidents updated", StringComparison.Ordinal));
    }

    [Fact]
    public void Verbose_tells_each_request_page_and_wait_with_its_tenant_and_never_the_token()
    {
        Fake.AddIncidents(51);
        Fake.Next.Enqueue(FakeDefenderApi.Error(503, "ServiceUnavailable", "busy", retryAfter: "3"));

        var (_, _, verbose) = Run("$tokens | Get-DefenderIncident -ApiUri $api -Top 1 -ThrottleLimit 1 -Verbose");

        Assert.Contains(verbose, v => v.StartsWith($"[{TenantA}] GET /api/incidents?$top=1", StringComparison.Ordinal));
        Assert.Contains(verbose, v => v.StartsWith($"[{TenantA}] 503", StringComparison.Ordinal) && v.Contains("Retry-After"));
        Assert.Contains(verbose, v => v.StartsWith($"[{TenantA}] Waiting ", StringComparison.Ordinal) && v.Contains("call limits"));
        Assert.Contains(verbose, v => v.StartsWith($"[{TenantB}] Page 52:", StringComparison.Ordinal));
        Assert.All(verbose, v => Assert.DoesNotContain(TokenA.Split('.')[1], v));
    }

    private (IReadOnlyList<PSObject> Output, List<ProgressRecord> Progress, List<string> Verbose) Run(string script) => RunForTwoTenants(script, Fake.BaseUri);
}
