using System.Text.Json;
using MdApiTokens.Core.ApiTokens;

namespace MdApiTokens.Core.Tests.Store;

/// <summary>
/// On Unix a change keeps the store file it replaced (when this process wrote it) as a spare and writes the next
/// change over it instead of a new file. The spare must never be a way to write anywhere else, must carry the store's
/// permissions, and must never leave the store file wrong.
/// </summary>
public class SpareFileTests
{
    [Fact]
    public void Changes_in_one_process_keep_one_owner_only_spare_and_every_store_file_is_what_the_schema_writes()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        using var fixture = new StoreFixture();
        var service = fixture.AsAdmin();
        for (var i = 0; i < 6; i++)
        {
            var issued = service.Issue("t" + i);
            if (i % 2 == 1)
            {
                service.Revoke(issued.Id);
            }

            Assert.Equal(Schema(fixture), File.ReadAllBytes(fixture.Store.FilePath));
        }

        var spare = Assert.Single(Spares(fixture));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(spare));
        Assert.Empty(Directory.EnumerateFiles(fixture.StorePath, "*.tmp"));
        Assert.Equal(6, service.List(new ApiTokenQuery { IncludeRevoked = true }).Count);
    }

    [Fact]
    public void A_spare_replaced_by_a_link_is_never_written_through_and_the_change_still_lands()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        using var fixture = new StoreFixture();
        var (service, spare) = TwoChanges(fixture);
        var victim = Path.Combine(Path.GetDirectoryName(fixture.StorePath)!, "victim.txt");
        File.WriteAllText(victim, "not the store's");
        File.Delete(spare);
        File.CreateSymbolicLink(spare, victim);

        service.Issue("three");

        Assert.Equal("not the store's", File.ReadAllText(victim));
        Assert.Equal(Schema(fixture), File.ReadAllBytes(fixture.Store.FilePath));
        Assert.False(File.Exists(spare) || new FileInfo(spare).LinkTarget is not null, "the planted link is still there");
        Assert.Equal(3, service.List().Count);
    }

    [Fact]
    public void A_spare_replaced_by_a_hard_link_to_another_file_is_not_written_and_is_removed()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        using var fixture = new StoreFixture();
        var (service, spare) = TwoChanges(fixture);
        var planted = Path.Combine(fixture.StorePath, "planted");
        File.WriteAllText(planted, "someone else's file");
        File.Delete(spare);
        using (var ln = System.Diagnostics.Process.Start("ln", new[] { planted, spare }))
        {
            ln.WaitForExit();
            Assert.Equal(0, ln.ExitCode);
        }

        service.Issue("three");

        Assert.Equal("someone else's file", File.ReadAllText(planted));
        Assert.DoesNotContain(spare, Spares(fixture));
        Assert.Equal(Schema(fixture), File.ReadAllBytes(fixture.Store.FilePath));
    }

    [Fact]
    public void A_store_shared_with_its_group_stays_shared_when_the_spare_becomes_the_store_file()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        using var fixture = new StoreFixture();
        var (service, _) = TwoChanges(fixture);
        var shared = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead;
        File.SetUnixFileMode(fixture.Store.FilePath, shared);

        service.Issue("three");

        Assert.Equal(shared, File.GetUnixFileMode(fixture.Store.FilePath));
    }

    [Fact]
    public void A_change_by_another_process_removes_this_process_spare_and_this_process_next_change_still_lands()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        using var fixture = new StoreFixture();
        var (service, spare) = TwoChanges(fixture);

        using (var worker = StoreWorker.Start("issue", fixture.StorePath, "elsewhere", "1"))
        {
            worker.WaitForExit();
            Assert.True(worker.ExitCode == 0, worker.StandardError.ReadToEnd());
        }

        Assert.False(File.Exists(spare));
        service.Issue("three");

        Assert.Equal(Schema(fixture), File.ReadAllBytes(fixture.Store.FilePath));
        Assert.Equal(4, service.List().Count);
        Assert.Empty(Directory.EnumerateFiles(fixture.StorePath, "*.tmp"));
    }

    [Fact]
    public void A_shorter_document_written_over_a_longer_spare_leaves_nothing_of_the_old_one_behind()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        using var fixture = new StoreFixture();
        var service = fixture.AsAdmin();
        var issued = Enumerable.Range(0, 20).Select(i => service.Issue("long-name-" + i + new string('x', 60))).ToList();
        fixture.Store.Update(tx =>
        {
            tx.Document.Tokens.RemoveAll(t => t.Name.StartsWith("long-name-", StringComparison.Ordinal));
            tx.MarkChanged();
            return 0;
        });
        fixture.Store.Update(tx =>
        {
            tx.Document.TenantUrl = "https://contoso.example/";
            tx.MarkChanged();
            return 0;
        });

        Assert.Equal(Schema(fixture), File.ReadAllBytes(fixture.Store.FilePath));
        Assert.DoesNotContain("long-name-", File.ReadAllText(fixture.Store.FilePath));
        Assert.Empty(service.List());
    }

    // Two issues in this process: the second keeps the file the first wrote as the spare.
    private static (ApiTokenService Service, string Spare) TwoChanges(StoreFixture fixture)
    {
        var service = fixture.AsAdmin();
        service.Issue("one");
        service.Issue("two");
        return (service, Assert.Single(Spares(fixture)));
    }

    private static byte[] Schema(StoreFixture fixture) =>
        JsonSerializer.SerializeToUtf8Bytes(fixture.Store.Read(), StoreJsonContext.Default.StoreDocument);

    private static List<string> Spares(StoreFixture fixture) =>
        Directory.EnumerateFiles(fixture.StorePath, "*" + SpareFile.Suffix).ToList();
}
