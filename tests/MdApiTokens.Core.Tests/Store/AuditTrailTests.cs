using System.Text;
using MdApiTokens.Core.ApiTokens;
using MdApiTokens.Core.Store;

namespace MdApiTokens.Core.Tests.Store;

public class AuditTrailTests
{
    [Fact]
    public void Entries_are_numbered_without_gaps_and_an_export_resumes_after_a_given_number()
    {
        using var fixture = new StoreFixture();
        fixture.AsAdmin().Issue("one");
        fixture.AsAdmin().Issue("two");
        var all = fixture.AsAdmin().ReadAuditLog(out _);

        Assert.Equal(Enumerable.Range(1, all.Count).Select(i => (long)i), all.Select(e => e.Sequence));
        var resumed = fixture.AsAdmin().ReadAuditLog(out _, new AuditLogQuery { AfterSequence = all[^2].Sequence });
        Assert.Equal(new[] { all[^1].Sequence }, resumed.Select(e => e.Sequence));
        Assert.Empty(fixture.AsAdmin().ReadAuditLog(out _, new AuditLogQuery { AfterSequence = all[^1].Sequence }));
    }

    [Fact]
    public void Times_never_go_back_even_when_the_clock_does()
    {
        using var fixture = new StoreFixture();
        fixture.AsAdmin().Issue("one");
        fixture.Clock.Advance(TimeSpan.FromMinutes(-30));
        fixture.AsAdmin().Issue("two");

        var times = fixture.AsAdmin().ReadAuditLog(out _).Select(e => e.Time).ToList();
        Assert.Equal(times.OrderBy(t => t), times);
        Assert.Equal(StoreFixture.Start, times[^1]);
    }

    [Fact]
    public void Audit_lines_past_the_committed_end_are_ignored_and_cut_off_by_the_next_change()
    {
        using var fixture = new StoreFixture();
        fixture.AsAdmin().Issue("one");
        // What a writer killed after appending but before swapping the document leaves behind, torn line included.
        File.AppendAllText(fixture.Store.AuditLogPath, "{\"seq\":4,\"time\":\"2026-01-05T09:00:00+00:00\",\"actor\":\"alice\",\"action\":\"TokenIssued\",\"tokenName\":\"ghost\"}\n{\"seq\":5,\"ti");

        var visible = fixture.AsAdmin().ReadAuditLog(out var skipped);
        Assert.DoesNotContain(visible, e => e.TokenName == "ghost");
        Assert.Equal(0, skipped);

        fixture.AsAdmin().Issue("two");
        var text = File.ReadAllText(fixture.Store.AuditLogPath);
        Assert.DoesNotContain("ghost", text);
        Assert.EndsWith("\n", text);
        Assert.Equal(new long[] { 1, 2, 3, 4 }, fixture.AsAdmin().ReadAuditLog(out _).Select(e => e.Sequence));
    }

    [Fact]
    public void An_audit_log_that_cannot_be_written_means_the_change_is_not_saved()
    {
        using var fixture = new StoreFixture();
        fixture.AsAdmin().Issue("one");
        var before = fixture.StoreBytes();
        File.Delete(fixture.Store.AuditLogPath);
        Directory.CreateDirectory(fixture.Store.AuditLogPath); // not a file: the append fails

        Assert.ThrowsAny<MdApiTokensException>(() => fixture.AsAdmin().Issue("two"));

        Assert.Equal(before, fixture.StoreBytes());
    }

    [Fact]
    public void A_store_written_before_sequence_numbers_keeps_its_old_lines_and_numbers_new_ones()
    {
        using var fixture = new StoreFixture();
        fixture.AsAdmin().Issue("one");
        var document = System.Text.Json.Nodes.JsonNode.Parse(fixture.StoreText())!.AsObject();
        document.Remove("audit");
        File.WriteAllText(fixture.Store.FilePath, document.ToJsonString());
        var oldLines = File.ReadAllLines(fixture.Store.AuditLogPath).Select(l => System.Text.RegularExpressions.Regex.Replace(l, "\"seq\":\\d+,", "")).ToArray();
        File.WriteAllLines(fixture.Store.AuditLogPath, oldLines);

        fixture.AsAdmin().Issue("two");

        var entries = fixture.AsAdmin().ReadAuditLog(out _);
        Assert.Equal(oldLines.Length + 1, entries.Count);
        Assert.All(entries.Take(oldLines.Length), e => Assert.Equal(0, e.Sequence));
        Assert.Equal(1, entries[^1].Sequence);
    }
}
