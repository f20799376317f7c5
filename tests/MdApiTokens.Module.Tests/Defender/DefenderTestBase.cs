using System.Collections;
using System.Management.Automation;
using MdApiTokens.Module.Tests.Infrastructure;
using MdApiTokens.Testing.Defender;
using MdApiTokens.Tests.Shared;

namespace MdApiTokens.Module.Tests.Defender;

/// <summary>A session with the loopback fake of the incidents API, a fresh pacer and recorded (not slept) waits.</summary>
public abstract class DefenderTestBase : ModuleTestBase, IAsyncLifetime
{
    public const string TenantA = "aaaaaaaa-0000-0000-0000-00000000000a";
    public const string TenantB = "bbbbbbbb-0000-0000-0000-00000000000b";

    private readonly List<TimeSpan> _waits = new();
    private DateTimeOffset _now = Start;

    protected FakeDefenderApi Fake { get; private set; } = null!;

    /// <summary>Every wait the cmdlets asked for (pacing, Retry-After, back-off), in order.</summary>
    protected IReadOnlyList<TimeSpan> Waits
    {
        get
        {
            lock (_waits)
            {
                return _waits.ToList();
            }
        }
    }

    protected string TokenA { get; } = TestJwt.Create(TenantA);

    public async Task InitializeAsync()
    {
        Fake = await FakeDefenderApi.StartAsync();
        Configure(Session);
    }

    public async Task DisposeAsync() => await Fake.DisposeAsync();

    /// <summary>Installs a clock that recorded waits move forward, a fresh pacer and deterministic jitter in <paramref name="session"/>.</summary>
    protected void Configure(PowerShellSession session)
    {
        session.SetOverride("Now", new Func<DateTimeOffset>(() =>
        {
            lock (_waits)
            {
                return _now;
            }
        }));
        session.SetOverride("DefenderDelay", new Func<TimeSpan, CancellationToken, Task>((wait, token) =>
        {
            lock (_waits)
            {
                _waits.Add(wait);
                _now += wait;
            }

            return Task.CompletedTask;
        }));
        session.SetOverride("DefenderPacer", Activator.CreateInstance(CoreType("Defender.DefenderRequestPacer")));
        var retry = Activator.CreateInstance(CoreType("Defender.DefenderRetryPolicy"))!;
        retry.GetType().GetProperty("Random")!.SetValue(retry, new Func<double>(() => 0.5));
        session.SetOverride("DefenderRetryPolicy", retry);
    }

    /// <summary>A type of the module's core library as the module loaded it (the tests do not reference it: they use the module as a user does).</summary>
    protected static Type CoreType(string name) =>
        AppDomain.CurrentDomain.GetAssemblies().Single(a => a.GetName().Name == "MdApiTokens.Core").GetType("MdApiTokens.Core." + name, throwOnError: true)!;

    /// <summary>What Get-PartnerAccessToken returns for a customer tenant.</summary>
    protected static object PartnerToken(string tenantId, string cloud = "Public") =>
        Activator.CreateInstance(CoreType("PartnerAccess.PartnerAccessToken"), TestJwt.Create(tenantId), "Bearer", ModuleTestBase.Start.AddHours(1), tenantId,
            "11111111-2222-3333-4444-555555555555", new[] { "https://api.security.microsoft.com/.default" }, Enum.Parse(CoreType("Shared.AzureCloud"), cloud))!;

    /// <summary>The output, each asserted to be a DefenderIncident.</summary>
    protected static IReadOnlyList<PSObject> Incidents(RunResult result)
    {
        Assert.All(result.Output, o => Assert.Equal("MdApiTokens.Core.Defender.DefenderIncident", o.BaseObject.GetType().FullName));
        return result.Output;
    }

    protected static long Id(PSObject incident) => (long)incident.Properties["IncidentId"].Value;

    protected static object? Prop(PSObject o, string name) => o.Properties[name]?.Value;

    /// <summary>Runs Get-DefenderIncident against the fake with tenant A's token and the given parameters.</summary>
    protected RunResult Get(params (string Name, object? Value)[] parameters) => Session.Command("Get-DefenderIncident", With(parameters));

    protected Hashtable With(params (string Name, object? Value)[] parameters)
    {
        var table = new Hashtable(StringComparer.OrdinalIgnoreCase) { ["ApiUri"] = Fake.BaseUri, ["AccessToken"] = TokenA };
        foreach (var (name, value) in parameters)
        {
            if (value is null)
            {
                table.Remove(name);
            }
            else
            {
                table[name] = value;
            }
        }

        return table;
    }

    protected Hashtable Vars(params (string Name, object? Value)[] variables)
    {
        var table = new Hashtable { ["api"] = Fake.BaseUri, ["token"] = TokenA, ["fake"] = Fake };
        foreach (var (name, value) in variables)
        {
            table[name] = value;
        }

        return table;
    }

    /// <summary>
    /// Runs <paramref name="script"/> with <c>$tokens</c> (partner tokens of tenants A and B), <c>$api</c> and <c>$token</c>
    /// set, requires it to write no error, and returns its output, progress records and verbose lines.
    /// </summary>
    protected (IReadOnlyList<PSObject> Output, List<ProgressRecord> Progress, List<string> Verbose) RunForTwoTenants(string script, Uri api)
    {
        foreach (var (name, value) in new (string, object)[] { ("tokens", new[] { PartnerToken(TenantA), PartnerToken(TenantB) }), ("api", api), ("token", TokenA) })
        {
            Session.Runspace.SessionStateProxy.SetVariable(name, value);
        }

        using var ps = PowerShell.Create();
        ps.Runspace = Session.Runspace;
        ps.AddScript(script);
        var output = ps.Invoke();
        Assert.Empty(ps.Streams.Error);
        return (output, ps.Streams.Progress.ToList(), ps.Streams.Verbose.Select(v => v.Message).ToList());
    }

    /// <summary>
    /// Starts <paramref name="script"/> (with <c>$tokens</c> and <c>$api</c> set), waits until <paramref name="allInFlight"/>
    /// says every tenant's request is held by the fake, presses Ctrl+C, and asserts the command stopped within 5 s with
    /// no request beyond <paramref name="expectedRequests"/>; <paramref name="release"/> frees the held requests at the end.
    /// </summary>
    protected void AssertCtrlCStopsEveryTenant(string script, object[] tokens, Uri api, Task allInFlight, TaskCompletionSource release, Func<int> requests, int expectedRequests)
    {
        Session.Runspace.SessionStateProxy.SetVariable("tokens", tokens);
        Session.Runspace.SessionStateProxy.SetVariable("api", api);
        using var ps = PowerShell.Create();
        ps.Runspace = Session.Runspace;
        ps.AddScript(script);

        try
        {
            var running = ps.BeginInvoke();
            allInFlight.Wait(TimeSpan.FromSeconds(20));
            Assert.True(allInFlight.IsCompletedSuccessfully, "the requests never were in flight together");
            var watch = System.Diagnostics.Stopwatch.StartNew();
            ps.Stop();

            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"stopping took {watch.Elapsed}");
            Assert.Equal(PSInvocationState.Stopped, ps.InvocationStateInfo.State);
            Assert.Throws<PipelineStoppedException>(() => ps.EndInvoke(running));
            Assert.Equal(expectedRequests, requests());
        }
        finally
        {
            release.TrySetResult();
        }
    }
}
