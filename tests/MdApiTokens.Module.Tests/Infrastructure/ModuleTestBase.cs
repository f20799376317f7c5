using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Host;

namespace MdApiTokens.Module.Tests.Infrastructure;

/// <summary>A hosted session with the module imported, its own store folder, a fixed clock and "alice" as the caller.</summary>
public abstract class ModuleTestBase : IDisposable
{
    public static readonly DateTimeOffset Start = new(2026, 2, 2, 8, 0, 0, TimeSpan.Zero);

    protected ModuleTestBase(PSHost? host = null)
    {
        Folder = Path.Combine(Path.GetTempPath(), "mdat-module-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Folder);
        StorePath = Path.Combine(Folder, "store");
        Session = new PowerShellSession(host) { Now = Start, Caller = "alice" };
    }

    protected string Folder { get; }

    protected string StorePath { get; }

    protected string StoreFile => Path.Combine(StorePath, "tokens.json");

    protected PowerShellSession Session { get; }

    /// <summary>Parameters as the engine binds them; -StorePath is added unless given.</summary>
    protected Hashtable P(params (string Name, object? Value)[] parameters)
    {
        var table = new Hashtable(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, value) in parameters)
        {
            table[name] = value;
        }

        if (!table.ContainsKey("StorePath"))
        {
            table["StorePath"] = StorePath;
        }

        return table;
    }

    protected RunResult Cmd(string command, params (string Name, object? Value)[] parameters) => Session.Command(command, P(parameters));

    protected dynamic NewToken(string name, params (string Name, object? Value)[] parameters) =>
        Cmd("New-ApiToken", parameters.Append(("Name", name)).ToArray()).Succeeded().Output.Single();

    protected bool TestToken(string token, params (string Name, object? Value)[] parameters) =>
        (bool)Cmd("Test-ApiToken", parameters.Append(("Token", token)).ToArray()).Succeeded().Output.Single().BaseObject;

    protected IReadOnlyList<PSObject> GetTokens(params (string Name, object? Value)[] parameters) =>
        Cmd("Get-ApiToken", parameters).Succeeded().Output;

    protected static string Status(PSObject token) => token.Properties["Status"].Value.ToString()!;

    /// <summary>Sets up alice (global admin), bob (security operator) and carol (security reader).</summary>
    protected void WithTeam()
    {
        Cmd("Initialize-ApiTokenStore").Succeeded();
        Cmd("Grant-ApiTokenRole", ("User", "bob"), ("Role", "SecurityOperator"), ("Confirm", false)).Succeeded();
        Cmd("Grant-ApiTokenRole", ("User", "carol"), ("Role", "SecurityReader"), ("Confirm", false)).Succeeded();
    }

    public virtual void Dispose()
    {
        Session.Dispose();
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
