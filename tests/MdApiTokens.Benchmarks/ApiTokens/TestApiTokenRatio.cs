using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Reflection;

namespace MdApiTokens.Benchmarks.ApiTokens;

/// <summary>
/// Test-ApiToken on a 1,000-token store (a valid token whose use is recorded) through the engine, with the built
/// module imported into a hosted runspace, against <see cref="EmptyAnchorCommand"/> in the same runspace: a compiled
/// cmdlet with the same parameters that writes $true, so the anchor is the engine's own cost of a command call
/// (pipeline, parameter binding, output). Alternating, medians printed with their ratio.
/// </summary>
public static class TestApiTokenRatio
{
    private const int Rounds = 31;
    private const int CallsPerRound = 200;

    public static int Run()
    {
        var root = Path.Combine(Path.GetTempPath(), "mdat-bench", Guid.NewGuid().ToString("N"));
        var folder = Path.Combine(root, "store");
        Directory.CreateDirectory(root);
        try
        {
            using var runspace = RunspaceFactory.CreateRunspace(InitialSessionState.CreateDefault2());
            runspace.Open();
            Invoke(runspace, $"Import-Module -Name '{Path.Combine(ModuleDirectory, "MdApiTokens.psd1")}' -ErrorAction Stop");
            Invoke(runspace, $"Import-Module -Name '{typeof(EmptyAnchorCommand).Assembly.Location}' -ErrorAction Stop");
            var token = (string)Invoke(
                runspace,
                "$p = $args[0]; 1..999 | ForEach-Object { $null = New-ApiToken -Name \"t$_\" -StorePath $p -Confirm:$false }; (New-ApiToken -Name probe -StorePath $p -Confirm:$false).Token",
                folder)[0].BaseObject;

            using var ps = PowerShell.Create();
            ps.Runspace = runspace;
            bool Call(string command)
            {
                ps.Commands.Clear();
                ps.AddCommand(command).AddParameter("Token", token).AddParameter("StorePath", folder);
                return ps.Invoke() is [{ BaseObject: true }];
            }

            var (anchor, measured) = StoreRatios.Alternate(() => Call("Test-EmptyAnchor"), () => Call("Test-ApiToken"), CallsPerRound, Rounds);
            StoreRatios.Report("Test-ApiToken, 1,000 tokens", "empty cmdlet", anchor * 1000, "Test-ApiToken", measured * 1000, "µs", 2);
            return measured / anchor <= 2 ? 0 : 1;
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private static string ModuleDirectory => typeof(TestApiTokenRatio).Assembly
        .GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "ModuleDirectory").Value!;

    private static IReadOnlyList<PSObject> Invoke(Runspace runspace, string script, params object?[] arguments)
    {
        using var ps = PowerShell.Create();
        ps.Runspace = runspace;
        ps.AddScript(script);
        foreach (var argument in arguments)
        {
            ps.AddArgument(argument);
        }

        var output = ps.Invoke();
        if (ps.HadErrors)
        {
            throw new InvalidOperationException(string.Join(Environment.NewLine, ps.Streams.Error));
        }

        return output;
    }
}

/// <summary>The anchor: a compiled cmdlet that binds Test-ApiToken's parameters and writes $true, doing nothing else.</summary>
[Cmdlet(VerbsDiagnostic.Test, "EmptyAnchor")]
public sealed class EmptyAnchorCommand : PSCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true)]
    public string Token { get; set; } = "";

    [Parameter]
    public string? StorePath { get; set; }

    protected override void ProcessRecord() => WriteObject(true);
}
