using System.Management.Automation;
using MdApiTokens.Testing.Defender;

namespace MdApiTokens.Module.Tests.Defender;

/// <summary>Progress records of hunting across tenants and of Invoke-DefenderApiRequest -All, as the engine's progress stream carries them.</summary>
public sealed class HuntingProgressTests : HuntingTestBase
{
    [Fact]
    public void A_paced_multi_page_All_listing_shows_pages_items_and_the_quota_wait()
    {
        Hunting.AddMachinePages(60, pageSize: 1);

        var (output, progress) = Run("Invoke-DefenderApiRequest -ApiUri $api -AccessToken $token -Path api/machines -All");

        Assert.Equal(60, output.Count);

        // Nothing before a second has passed: the first record is the wait for the 51st call that moved the clock a minute.
        var first = progress[0];
        Assert.Equal("Invoke-DefenderApiRequest", first.Activity);
        Assert.Contains("quota", first.CurrentOperation);
        Assert.Contains(TenantA, first.CurrentOperation);
        Assert.Equal(60, first.SecondsRemaining);
        // The one tenant runs beside the pipeline, whose input has ended by then: the total is known.
        Assert.Equal("0 of 1 tenants done, 50 pages, 50 items", first.StatusDescription);

        var last = progress[^2];
        Assert.Equal("1 of 1 tenants done, 60 pages, 60 items", last.StatusDescription);
        Assert.Equal(100, last.PercentComplete);
        Assert.Equal(ProgressRecordType.Completed, progress[^1].RecordType);
        Assert.Single(progress, p => p.RecordType == ProgressRecordType.Completed);
        Assert.All(progress, p => Assert.Equal(first.ActivityId, p.ActivityId));
    }

    [Fact]
    public void Hunting_across_two_tenants_shows_tenants_done_rows_and_the_CPU_quota_wait()
    {
        Hunting.AddRows(TenantA, 2);
        Hunting.AddRows(TenantB, 3);
        Hunting.Next.Enqueue(FakeHuntingApi.CpuQuotaExceeded(retryAfter: "20"));

        var (output, progress) = Run("$tokens | Invoke-DefenderHuntingQuery -Query 'DeviceInfo' -ApiUri $api -ThrottleLimit 1");

        Assert.Equal(5, output.Count);

        // The 429 of tenant A's CPU quota says to come back in 20 s: shown at once, with what it waits for.
        var first = progress[0];
        Assert.Equal("Invoke-DefenderHuntingQuery", first.Activity);
        Assert.Contains("Retry-After", first.CurrentOperation);
        Assert.Contains(TenantA, first.CurrentOperation);
        Assert.Equal(20, first.SecondsRemaining);
        Assert.Equal("0 tenants done, 1 so far, 0 rows", first.StatusDescription);

        Assert.Contains(progress, p => p.StatusDescription == "1 tenants done, 2 so far, 2 rows");
        var last = progress[^2];
        Assert.Equal("2 of 2 tenants done, 5 rows", last.StatusDescription);
        Assert.Equal(100, last.PercentComplete);
        Assert.Equal(ProgressRecordType.Completed, progress[^1].RecordType);
    }

    [Fact]
    public void Hunting_shows_the_wait_for_room_in_a_tenants_call_quota_of_45_a_minute()
    {
        Hunting.AddRows(TenantA, 1);
        Hunting.AddRows(TenantB, 1);
        Session.Runspace.SessionStateProxy.SetVariable("many", Enumerable.Repeat(PartnerToken(TenantA), 46).Append(PartnerToken(TenantB)).ToArray());

        var (output, progress) = Run("$many | Invoke-DefenderHuntingQuery -Query 'DeviceInfo' -ApiUri $api -ThrottleLimit 1");

        Assert.Equal(47, output.Count);
        var first = progress[0];
        Assert.Equal($"Waiting 60 s for room in the call quota of tenant {TenantA}", first.CurrentOperation);
        Assert.Equal(60, first.SecondsRemaining);
        Assert.Equal("45 tenants done, 46 so far, 45 rows", first.StatusDescription);
        Assert.Equal("47 of 47 tenants done, 47 rows", progress[^2].StatusDescription);
        Assert.Equal(ProgressRecordType.Completed, progress[^1].RecordType);
    }

    [Fact]
    public void Hunting_across_tenants_side_by_side_completes_its_progress_once()
    {
        Hunting.AddRows(TenantA, 2);
        Hunting.AddRows(TenantB, 3);
        Hunting.Next.Enqueue(FakeHuntingApi.CpuQuotaExceeded(retryAfter: "20"));

        var (output, progress) = Run("$tokens | Invoke-DefenderHuntingQuery -Query 'DeviceInfo' -ApiUri $api");

        Assert.Equal(5, output.Count);
        Assert.Contains(progress, p => p.CurrentOperation?.Contains("Retry-After") == true);
        Assert.Equal("2 of 2 tenants done, 5 rows", progress[^2].StatusDescription);
        Assert.Single(progress, p => p.RecordType == ProgressRecordType.Completed);
        Assert.Equal(ProgressRecordType.Completed, progress[^1].RecordType);
    }

    [Fact]
    public void Hunting_and_listings_that_end_within_a_second_show_no_progress()
    {
        Hunting.AddRows(TenantA, 2);
        Hunting.AddMachinePages(30, pageSize: 1);

        var (hunted, huntingProgress) = Run("$tokens | Invoke-DefenderHuntingQuery -Query 'DeviceInfo' -ApiUri $api");
        var (listed, listingProgress) = Run("Invoke-DefenderApiRequest -ApiUri $api -AccessToken $token -Path api/machines -All");

        Assert.Equal(2, hunted.Count);
        Assert.Equal(30, listed.Count);
        Assert.Empty(huntingProgress);
        Assert.Empty(listingProgress);
    }

    [Fact]
    public void ProgressPreference_SilentlyContinue_is_honoured_by_hunting_and_listings()
    {
        Hunting.AddRows(TenantA, 1);
        Hunting.Next.Enqueue(FakeHuntingApi.CpuQuotaExceeded(retryAfter: "20"));
        Hunting.AddMachinePages(60, pageSize: 1);

        var (hunted, huntingProgress) = Run("$ProgressPreference = 'SilentlyContinue'; $tokens | Invoke-DefenderHuntingQuery -Query 'DeviceInfo' -ApiUri $api");
        var (listed, listingProgress) = Run("$ProgressPreference = 'SilentlyContinue'; Invoke-DefenderApiRequest -ApiUri $api -AccessToken $token -Path api/machines -All");

        Assert.Single(hunted);
        Assert.Equal(60, listed.Count);
        Assert.Empty(huntingProgress);
        Assert.Empty(listingProgress);
    }

    private (IReadOnlyList<PSObject> Output, List<ProgressRecord> Progress) Run(string script)
    {
        var (output, progress, _) = RunForTwoTenants(script, Hunting.BaseUri);
        return (output, progress);
    }
}
