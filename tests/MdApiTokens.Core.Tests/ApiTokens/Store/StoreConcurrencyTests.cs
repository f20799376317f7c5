using System.Diagnostics;
using MdApiTokens.Core.ApiTokens;
using Xunit.Abstractions;

namespace MdApiTokens.Core.Tests.Store;

public class StoreConcurrencyTests
{
    private readonly ITestOutputHelper _output;

    public StoreConcurrencyTests(ITestOutputHelper output) => _output = output;

    [Fact]
    public void A_writer_killed_at_random_moments_never_leaves_a_change_without_its_audit_entry_or_an_entry_without_its_change()
    {
        using var fixture = new StoreFixture();
        fixture.AsAdmin().Initialize(null);
        var random = new Random(20261123);
        const int kills = 40;
        var missingEntries = 0;
        var entriesWithoutChange = 0;
        var orderFaults = 0;

        for (var round = 0; round < kills; round++)
        {
            using var child = StoreWorker.Start("churn", fixture.StorePath);
            Assert.Equal("ready", child.StandardOutput.ReadLine());
            Thread.Sleep(random.Next(0, 30));
            child.Kill(entireProcessTree: true); // SIGKILL
            child.WaitForExit();

            var tokens = fixture.Store.Read().Tokens.Select(t => t.Id).ToHashSet();
            var entries = fixture.Store.ReadAuditLog(out _);
            var issued = entries.Where(e => e.Action == AuditAction.TokenIssued).Select(e => e.TokenId!).ToHashSet();
            var revoked = entries.Where(e => e.Action == AuditAction.TokenRevoked).Select(e => e.TokenId!).ToHashSet();
            missingEntries += tokens.Count(id => !issued.Contains(id));
            entriesWithoutChange += issued.Count(id => !tokens.Contains(id) && !revoked.Contains(id))
                + revoked.Count(id => tokens.Contains(id));
            orderFaults += entries.Zip(entries.Skip(1), (a, b) => b.Sequence == a.Sequence + 1 && b.Time >= a.Time ? 0 : 1).Sum();

            // The next change cuts off whatever the dead writer appended without committing.
            fixture.AsAdmin().Issue($"after-kill-{round}");
        }

        var total = fixture.Store.ReadAuditLog(out var unreadable);
        _output.WriteLine($"kills: {kills}; tokens without an audit entry: {missingEntries}; entries without their change: {entriesWithoutChange}; order faults: {orderFaults}; audit entries: {total.Count}; unreadable lines: {unreadable}");
        Assert.Equal(0, missingEntries);
        Assert.Equal(0, entriesWithoutChange);
        Assert.Equal(0, orderFaults);
        Assert.Equal(0, unreadable);
        Assert.Equal(kills, fixture.AsAdmin().List().Count(t => t.Name.StartsWith("after-kill-")));
    }

    [Fact]
    public void Many_threads_issuing_and_validating_lose_no_update()
    {
        using var fixture = new StoreFixture();
        fixture.AsAdmin().Initialize(null);
        const int threads = 8;
        const int perThread = 25;

        var failures = new System.Collections.Concurrent.ConcurrentBag<Exception>();
        var workers = Enumerable.Range(0, threads).Select(t => new Thread(() =>
        {
            try
            {
                var service = new ApiTokenService(new ApiTokenStore(fixture.StorePath), SystemClock.Instance, "alice");
                // Waits for the lock to record each use like the changes do: this checks that no recorded use is lost.
                var validator = new ApiTokenValidator(new ApiTokenStore(fixture.StorePath), SystemClock.Instance, useRecordingLockWait: TimeSpan.FromSeconds(30));
                for (var i = 0; i < perThread; i++)
                {
                    var token = service.Issue($"thread{t}-{i}");
                    Assert.True(validator.Validate(token.Token).IsValid);
                }
            }
            catch (Exception e)
            {
                failures.Add(e);
            }
        })).ToList();
        workers.ForEach(w => w.Start());
        workers.ForEach(w => w.Join());

        Assert.Empty(failures);
        var tokens = fixture.AsAdmin().List();
        Assert.Equal(threads * perThread, tokens.Count);
        Assert.All(tokens, t => Assert.Equal(ApiTokenStatus.Active, t.Status));
        Assert.Equal(threads * perThread, fixture.Store.ReadAuditLog(out _).Count(e => e.Action == AuditAction.TokenIssued));
    }

    [Fact]
    public async Task Separate_processes_and_threads_changing_one_store_lose_no_update()
    {
        using var fixture = new StoreFixture();
        fixture.AsAdmin().Initialize(null);
        const int processes = 3;
        const int perProcess = 30;
        const int threads = 3;
        const int perThread = 15;

        var children = Enumerable.Range(0, processes)
            .Select(p => StoreWorker.Start("issue", fixture.StorePath, $"proc{p}", perProcess.ToString()))
            .ToList();
        var local = Enumerable.Range(0, threads).Select(t => Task.Run(() =>
        {
            var service = new ApiTokenService(new ApiTokenStore(fixture.StorePath, lockTimeout: TimeSpan.FromMinutes(2)), SystemClock.Instance, "alice");
            for (var i = 0; i < perThread; i++)
            {
                service.Issue($"local{t}-{i}");
            }
        })).ToArray();

        await Task.WhenAll(local);
        foreach (var child in children)
        {
            Assert.True(child.WaitForExit(120_000), "worker did not finish");
            Assert.True(child.ExitCode == 0, $"worker exited {child.ExitCode}: {child.StandardError.ReadToEnd()}");
        }

        var names = fixture.AsAdmin().List().Select(t => t.Name).ToHashSet();
        Assert.Equal(processes * perProcess + threads * perThread, names.Count);
        for (var p = 0; p < processes; p++)
        {
            for (var i = 0; i < perProcess; i++)
            {
                Assert.Contains($"proc{p}-{i}", names);
            }
        }

        // Every child token was validated once, and that use survived every later write.
        Assert.All(fixture.AsAdmin().List().Where(t => t.Name.StartsWith("proc")), t => Assert.NotNull(t.LastUsedOn));
    }

    [Fact]
    public void A_writer_killed_at_any_moment_leaves_the_old_or_the_new_file()
    {
        using var fixture = new StoreFixture();
        fixture.AsAdmin().Initialize(null);
        var random = new Random(12345);

        for (var round = 0; round < 8; round++)
        {
            using var child = StoreWorker.Start("churn", fixture.StorePath);
            Assert.Equal("ready", child.StandardOutput.ReadLine());
            Thread.Sleep(random.Next(0, 40));
            child.Kill(entireProcessTree: true);
            child.WaitForExit();

            // Parses cleanly (no partial file), and the next change works and clears the dead writer's leftovers.
            var document = fixture.Store.Read();
            Assert.Equal(ApiTokenStore.CurrentSchemaVersion, document.SchemaVersion);
            fixture.AsAdmin().Issue($"after-kill-{round}");
            Assert.Empty(Directory.EnumerateFiles(fixture.StorePath, "*.tmp"));

            // The dead writer's spare is gone; this process keeps at most its own.
            Assert.True(Directory.EnumerateFiles(fixture.StorePath, "*" + SpareFile.Suffix).Count() <= 1);
        }

        Assert.Equal(8, fixture.AsAdmin().List().Count(t => t.Name.StartsWith("after-kill-")));
    }
}
