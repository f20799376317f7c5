using System.Diagnostics;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Reflection;
using MdApiTokens.Tests.Shared;

namespace MdApiTokens.Benchmarks.Defender;

/// <summary>
/// 20 tenants piped into Get-DefenderIncident, through the engine with the built module, against a loopback API that
/// adds 200 ms to every request (two pages a tenant): -ThrottleLimit 5 against -ThrottleLimit 1 in the same run,
/// alternating, medians printed with their ratio, and the incidents compared.
/// </summary>
public static class TenantThrottleBenchmark
{
    private const int Tenants = 20;
    private const int Rounds = 3;

    public static async Task<int> RunAsync()
    {
        await using var api = await LoopbackIncidentsApi.StartAsync(incidents: 8, pageSize: 5);
        api.Latency = TimeSpan.FromMilliseconds(200);
        Environment.SetEnvironmentVariable("MDAPITOKENS_DEFENDER_PACING", "Off");
        var tokens = Enumerable.Range(1, Tenants).Select(i =>
        {
            var token = new PSObject();
            token.Properties.Add(new PSNoteProperty("AccessToken", TestJwt.Create($"{i:00000000}-0000-0000-0000-000000000000")));
            return token;
        }).ToArray();

        using var runspace = RunspaceFactory.CreateRunspace(InitialSessionState.CreateDefault2());
        runspace.Open();
        Invoke(runspace, $"Import-Module -Name '{Path.Combine(ModuleDirectory, "MdApiTokens.psd1")}' -ErrorAction Stop", null);

        var times = new Dictionary<int, List<double>> { [1] = new(), [5] = new() };
        var seen = new Dictionary<int, string>();
        Invoke(runspace, "$args[0] | Get-DefenderIncident -ApiUri $args[1] -Top 5 -ThrottleLimit 5 | Out-Null", tokens, api.BaseUri); // warm-up
        for (var round = 0; round < Rounds; round++)
        {
            foreach (var limit in new[] { 1, 5 })
            {
                var before = api.Requests;
                var watch = Stopwatch.StartNew();
                var output = Invoke(runspace, $"$args[0] | Get-DefenderIncident -ApiUri $args[1] -Top 5 -ThrottleLimit {limit}", tokens, api.BaseUri);
                watch.Stop();
                times[limit].Add(watch.Elapsed.TotalMilliseconds);
                seen[limit] = string.Join(",", output.Select(o => $"{o.Properties["TenantId"].Value}/{o.Properties["IncidentId"].Value}").Order());
                Console.WriteLine($"round {round + 1}, -ThrottleLimit {limit}: {watch.Elapsed.TotalMilliseconds,7:0} ms, {output.Count} incidents, {api.Requests - before} requests");
            }
        }

        var one = Median(times[1]);
        var five = Median(times[5]);
        var same = seen[1] == seen[5];
        Console.WriteLine();
        Console.WriteLine($"| Tenants | Latency | -ThrottleLimit 1 (median) | -ThrottleLimit 5 (median) | Ratio | Same incidents |");
        Console.WriteLine($"| {Tenants} | 200 ms | {one:0} ms | {five:0} ms | {one / five:0.00}x | {(same ? "yes" : "NO")} |");
        return same && one / five >= 4 ? 0 : 1;
    }

    private static string ModuleDirectory => typeof(TenantThrottleBenchmark).Assembly
        .GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "ModuleDirectory").Value!;

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted[sorted.Length / 2];
    }

    private static IReadOnlyList<PSObject> Invoke(Runspace runspace, string script, params object?[]? arguments)
    {
        using var ps = PowerShell.Create();
        ps.Runspace = runspace;
        ps.AddScript(script);
        foreach (var argument in arguments ?? Array.Empty<object?>())
        {
            ps.AddArgument(argument);
        }

        var output = ps.Invoke();
        if (ps.HadErrors)
        {
            throw new InvalidOperationException(string.Join(Environment.NewLine, ps.Streams.Error.Select(e => e.ToString())));
        }

        return output;
    }
}
