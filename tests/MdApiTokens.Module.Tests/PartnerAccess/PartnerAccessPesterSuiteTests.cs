using System.Management.Automation;
using System.Management.Automation.Language;
using MdApiTokens.Module.Tests.Infrastructure;

namespace MdApiTokens.Module.Tests.PartnerAccess;

/// <summary>Pester cannot run here; its suite for partner access must at least parse and call only what the module exports.</summary>
public class PartnerAccessPesterSuiteTests : ModuleTestBase
{
    private static readonly string s_suite = Path.GetFullPath(Path.Combine(ModuleLayout.Directory, "..", "..", "..", "..", "..", "tests", "Pester", "PartnerAccess.Tests.ps1"));

    [Fact]
    public void The_suite_parses_and_imports_the_module_the_documented_way()
    {
        var ast = Parser.ParseFile(s_suite, out _, out var errors);

        Assert.Empty(errors);
        var text = ast.Extent.Text;
        Assert.Contains("$env:MDAPITOKENS_MODULE_MANIFEST", text);
        Assert.Contains("out/MdApiTokens/*/MdApiTokens.psd1", text);
        Assert.Contains("src/MdApiTokens/bin/Debug/netstandard2.0/MdApiTokens.psd1", text);
        Assert.Contains(ast.FindAll(a => a is CommandAst, true).Cast<CommandAst>(), c => c.GetCommandName() == "BeforeAll");
    }

    [Fact]
    public void Every_module_command_the_suite_calls_is_exported()
    {
        var ast = Parser.ParseFile(s_suite, out _, out _);
        var exported = Session.Run("(Get-Module MdApiTokens).ExportedCmdlets.Keys").Succeeded().Output.Select(o => o.ToString()).ToHashSet(StringComparer.OrdinalIgnoreCase);

        var called = ast.FindAll(a => a is CommandAst, true).Cast<CommandAst>()
            .Select(c => c.GetCommandName())
            .OfType<string>()
            .Where(n => n.Contains("-Partner", StringComparison.OrdinalIgnoreCase) || n.EndsWith("-AccessToken", StringComparison.OrdinalIgnoreCase))
            .Distinct()
            .ToList();

        Assert.Equal(new[] { "Get-PartnerAccessToken", "Get-PartnerConsentLink", "Test-AccessToken" }, called.OrderBy(n => n));
        Assert.All(called, c => Assert.Contains(c, exported));
    }
}
