using System.Collections;
using System.Management.Automation;
using MdApiTokens.Module.Tests.Infrastructure;
using MdApiTokens.Testing.Defender;
using MdApiTokens.Tests.Shared;

namespace MdApiTokens.Module.Tests.Defender;

/// <summary>A Defender session (recorded waits, fresh pacers) with the loopback fake of the hunting and generic endpoints.</summary>
public abstract class HuntingTestBase : DefenderTestBase, IAsyncLifetime
{
    public const string TenantC = "cccccccc-0000-0000-0000-00000000000c";
    public const string GraphAudience = "https://graph.microsoft.com";

    protected FakeHuntingApi Hunting { get; private set; } = null!;

    public new async Task InitializeAsync()
    {
        await base.InitializeAsync();
        Hunting = await FakeHuntingApi.StartAsync();
        Session.SetOverride("DefenderHuntingPacer", Activator.CreateInstance(CoreType("Defender.DefenderRequestPacer"), new object[] { HuntingLimits() }));
    }

    public new async Task DisposeAsync()
    {
        await Hunting.DisposeAsync();
        await base.DisposeAsync();
    }

    /// <summary>A token for Microsoft Graph (audience https://graph.microsoft.com) in <paramref name="tenant"/>.</summary>
    protected static string GraphToken(string tenant) => TestJwt.Create(tenant, audience: GraphAudience, roles: "ThreatHunting.Read.All");

    protected Hashtable HuntVars(params (string Name, object? Value)[] variables)
    {
        var table = new Hashtable { ["api"] = Hunting.BaseUri, ["token"] = TokenA, ["fake"] = Hunting };
        foreach (var (name, value) in variables)
        {
            table[name] = value;
        }

        return table;
    }

    /// <summary>Runs Invoke-DefenderHuntingQuery against the fake's Defender route with tenant A's token and the given parameters.</summary>
    protected RunResult Hunt(params (string Name, object? Value)[] parameters)
    {
        var table = new Hashtable(StringComparer.OrdinalIgnoreCase) { ["ApiUri"] = Hunting.BaseUri, ["GraphUri"] = Hunting.BaseUri, ["AccessToken"] = TokenA, ["Query"] = "DeviceProcessEvents | take 10" };
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

        return Session.Command("Invoke-DefenderHuntingQuery", table);
    }

    /// <summary>Everything a run wrote that a person or a log could see.</summary>
    protected static string AllText(RunResult result) =>
        string.Join("\n", result.Output.Select(o => o.ToString()))
        + string.Join("\n", result.Verbose) + string.Join("\n", result.Warnings)
        + string.Join("\n", result.AllErrors.Select(e => e + " " + e.ErrorDetails?.Message + " " + e.ErrorDetails?.RecommendedAction + " " + e.TargetObject));

    private static Array HuntingLimits()
    {
        var limitType = CoreType("Defender.DefenderRateLimit");
        var limits = Array.CreateInstance(limitType, 2);
        limits.SetValue(Activator.CreateInstance(limitType, 45, TimeSpan.FromMinutes(1)), 0);
        limits.SetValue(Activator.CreateInstance(limitType, 1500, TimeSpan.FromHours(1)), 1);
        return limits;
    }
}
