using System.Management.Automation;
using System.Management.Automation.Runspaces;
using MdApiTokens.Module.Tests.Infrastructure;

namespace MdApiTokens.Module.Tests;

/// <summary>Hosts (and parallel Pester runs) import the module in several runspaces of one process at the same time.</summary>
public class ConcurrentImportTests
{
    [Fact]
    public void Imports_released_at_the_same_instant_all_succeed()
    {
        const int count = 16;
        var runspaces = Enumerable.Range(0, count).Select(_ =>
        {
            var r = RunspaceFactory.CreateRunspace(InitialSessionState.CreateDefault2());
            r.Open();
            return r;
        }).ToList();
        try
        {
            using var start = new Barrier(count);
            var errors = new System.Collections.Concurrent.ConcurrentBag<string>();
            var threads = runspaces.Select(r => new Thread(() =>
            {
                using var ps = PowerShell.Create();
                ps.Runspace = r;
                ps.AddCommand("Import-Module").AddParameter("Name", ModuleLayout.ManifestPath);
                start.SignalAndWait();
                try
                {
                    ps.Invoke();
                    errors.Add(string.Join(" | ", ps.Streams.Error.Select(e => e.ToString())));
                }
                catch (RuntimeException e)
                {
                    errors.Add(e.ToString() + " <- " + e.InnerException?.InnerException?.Message);
                }
            })).ToList();
            threads.ForEach(t => t.Start());
            threads.ForEach(t => t.Join());

            Assert.All(errors, e => Assert.Equal("", e));
        }
        finally
        {
            runspaces.ForEach(r => r.Dispose());
        }
    }

    [Fact]
    public void Imports_in_many_runspaces_at_once_all_succeed_and_work()
    {
        var folder = Path.Combine(Path.GetTempPath(), "mdat-concurrent-import", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        try
        {
            var failures = new System.Collections.Concurrent.ConcurrentBag<string>();
            Parallel.For(0, 12, new ParallelOptions { MaxDegreeOfParallelism = 12 }, i =>
            {
                try
                {
                    using var session = new PowerShellSession { Caller = "alice" };
                    var result = session.Run(
                        "(New-ApiToken -Name $name -StorePath $store) -is [MdApiTokens.Core.ApiTokens.NewApiTokenResult]",
                        new System.Collections.Hashtable { ["name"] = "t" + i, ["store"] = Path.Combine(folder, "s" + i) }).Succeeded();
                    Assert.Equal(true, result.Output.Single().BaseObject);
                }
                catch (Exception e)
                {
                    failures.Add(e.Message);
                }
            });

            Assert.Empty(failures);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
