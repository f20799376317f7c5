using System.Collections;
using System.Management.Automation.Language;
using MdApiTokens.Module.Tests.Infrastructure;

namespace MdApiTokens.Module.Tests.ApiTokens;

/// <summary>
/// tests/Pester/ApiToken.Tests.ps1 moves the clock and changes the account through the module's internal hook from
/// PowerShell code. Its helper functions, taken from the file itself, are run here so that the suite's way of reaching
/// the hook is proven where Pester cannot run.
/// </summary>
public class PesterSuiteHookTests : ModuleTestBase
{
    private static readonly string[] s_helpers = { "Set-ApiTokenTestHook", "Set-TestClock", "Set-TestCaller", "Reset-ApiTokenTestHook" };

    [Fact]
    public void The_Pester_suites_helpers_move_the_clock_change_the_account_and_reset_both()
    {
        LoadHelpersFromPesterSuite();
        var otherStore = Path.Combine(Folder, "after-reset");

        var result = Session.Run(
            """
            Set-TestCaller 'pester-admin'
            Set-TestClock ([DateTimeOffset]::new(2030, 1, 1, 0, 0, 0, [TimeSpan]::Zero))
            $t = New-ApiToken -Name hooked -StorePath $store
            $t.Issuer
            $t.CreatedOn
            $null = Test-ApiToken -Token $t.Token -StorePath $store
            Set-TestClock ([DateTimeOffset]::new(2030, 1, 8, 0, 1, 0, [TimeSpan]::Zero))
            (Get-ApiToken -StorePath $store).Status.ToString()
            Reset-ApiTokenTestHook
            $after = Initialize-ApiTokenStore -StorePath $other
            $after.Caller
            $after.CreatedOn
            """,
            new Hashtable { ["store"] = StorePath, ["other"] = otherStore }).Succeeded();

        Assert.Equal("pester-admin", result.Output[0].BaseObject);
        Assert.Equal(new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero), result.Output[1].BaseObject);
        Assert.Equal("Inactive", result.Output[2].BaseObject);

        var realAccount = OperatingSystem.IsWindows() ? $"{Environment.UserDomainName}\\{Environment.UserName}" : Environment.UserName;
        Assert.Equal(realAccount, result.Output[3].BaseObject);
        Assert.InRange((DateTimeOffset)result.Output[4].BaseObject, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddMinutes(1));
    }

    private void LoadHelpersFromPesterSuite()
    {
        var suite = Parser.ParseFile(Path.Combine(RepositoryLayout.PesterFolder, "ApiToken.Tests.ps1"), out _, out var errors);
        Assert.Empty(errors);
        var functions = suite.FindAll(a => a is FunctionDefinitionAst f && s_helpers.Contains(f.Name, StringComparer.OrdinalIgnoreCase), searchNestedScriptBlocks: true)
            .Cast<FunctionDefinitionAst>()
            .ToList();
        Assert.Equal(s_helpers.Length, functions.Count);
        Session.Run(string.Join("\n\n", functions.Select(f => f.Extent.Text))).Succeeded();
    }
}
