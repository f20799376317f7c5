using System.Collections;
using System.Management.Automation;
using System.Reflection;
using MdApiTokens.Module.Tests.Infrastructure;

namespace MdApiTokens.Module.Tests;

public class ModuleManifestTests : ModuleTestBase
{
    private static readonly string[] s_stateChangingVerbs = { "New", "Revoke", "Grant", "Set", "Initialize", "Remove", "Update" };

    [Fact]
    public void Test_ModuleManifest_accepts_the_manifest()
    {
        var result = Session.Command("Test-ModuleManifest", new Hashtable { ["Path"] = ModuleLayout.ManifestPath }).Succeeded();
        var module = (PSModuleInfo)result.Output.Single().BaseObject;

        Assert.Equal("MdApiTokens", module.Name);
        Assert.Equal(new Version(5, 1), module.PowerShellVersion);
        Assert.Equal(new[] { "Core", "Desktop" }, module.CompatiblePSEditions.OrderBy(e => e));
    }

    [Fact]
    public void The_manifest_exports_exactly_the_cmdlets_the_assembly_defines()
    {
        var imported = Session.Run("(Get-Module MdApiTokens).ExportedCmdlets.Keys").Succeeded().Output.Select(o => (string)o.BaseObject).OrderBy(n => n).ToList();
        var defined = CmdletTypes().Select(t => t.GetCustomAttribute<CmdletAttribute>()!).Select(a => $"{a.VerbName}-{a.NounName}").OrderBy(n => n).ToList();

        Assert.Equal(defined, imported);
        Assert.Empty(Session.Run("(Get-Module MdApiTokens).ExportedFunctions.Keys").Succeeded().Output);
    }

    [Fact]
    public void Cmdlets_use_approved_verbs_declare_output_and_support_ShouldProcess_when_they_change_state()
    {
        var approved = typeof(VerbsCommon).Assembly.GetTypes()
            .Where(t => t.Namespace == "System.Management.Automation" && t.Name.StartsWith("Verbs", StringComparison.Ordinal))
            .SelectMany(t => t.GetFields(BindingFlags.Public | BindingFlags.Static))
            .Select(f => (string)f.GetValue(null)!)
            .ToHashSet();

        foreach (var type in CmdletTypes())
        {
            var cmdlet = type.GetCustomAttribute<CmdletAttribute>()!;
            var name = $"{cmdlet.VerbName}-{cmdlet.NounName}";
            Assert.True(approved.Contains(cmdlet.VerbName), $"{name}: unapproved verb");
            Assert.True(type.GetCustomAttributes<OutputTypeAttribute>().Any(), $"{name}: no [OutputType]");
            if (s_stateChangingVerbs.Contains(cmdlet.VerbName))
            {
                Assert.True(cmdlet.SupportsShouldProcess, $"{name}: changes state without ShouldProcess");
            }

            if (cmdlet.VerbName is "Revoke" or "Grant")
            {
                Assert.Equal(ConfirmImpact.High, cmdlet.ConfirmImpact);
            }
        }
    }

    [Fact]
    public void The_module_imports_in_several_runspaces_of_one_process()
    {
        using var second = new PowerShellSession();
        Assert.Single(second.Run("Get-Module MdApiTokens").Succeeded().Output);
    }

    internal static IEnumerable<Type> CmdletTypes()
    {
        var assembly = AppDomain.CurrentDomain.GetAssemblies().Single(a => a.GetName().Name == "MdApiTokens");
        return assembly.GetTypes().Where(t => t.GetCustomAttribute<CmdletAttribute>() is not null);
    }
}
