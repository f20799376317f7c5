using System.Runtime.Loader;
using MdApiTokens.Module.Tests.Infrastructure;

namespace MdApiTokens.Module.Tests;

/// <summary>
/// The module's dependencies load in a private context, so other modules' versions of MSAL, IdentityModel or
/// System.Text.Json in the same session neither break it nor are broken by it.
/// </summary>
public class DependencyIsolationTests : ModuleTestBase
{
    [Fact]
    public void Core_and_its_packages_load_in_the_modules_private_context_and_framework_types_stay_shared()
    {
        NewToken("loads-core");

        var core = AppDomain.CurrentDomain.GetAssemblies().Single(a => a.GetName().Name == "MdApiTokens.Core");
        var context = AssemblyLoadContext.GetLoadContext(core)!;
        Assert.Equal("MdApiTokens", context.Name);
        Assert.NotSame(AssemblyLoadContext.Default, context);
        Assert.StartsWith(Path.Combine(ModuleLayout.Directory, "dependencies"), core.Location);

        // The cmdlets and the loader sit in the default context; Core is reached only through the loader.
        var cmdlets = AppDomain.CurrentDomain.GetAssemblies().Single(a => a.GetName().Name == "MdApiTokens");
        Assert.Same(AssemblyLoadContext.Default, AssemblyLoadContext.GetLoadContext(cmdlets));
        Assert.False(File.Exists(Path.Combine(ModuleLayout.Directory, "MdApiTokens.Core.dll")), "Core must not sit beside the cmdlets, where PowerShell would load it into the default context");

        // System.Text.Json is shipped in dependencies/ for Windows PowerShell, but the runtime's copy is used here:
        // one JsonElement type in the process.
        var json = context.Assemblies.FirstOrDefault(a => a.GetName().Name == "System.Text.Json");
        Assert.Null(json);
        Assert.True(File.Exists(Path.Combine(ModuleLayout.Directory, "dependencies", "System.Text.Json.dll")));
    }

    [Fact]
    public void Output_objects_are_usable_by_type_name_in_the_session()
    {
        var result = Session.Run(
            "$t = New-ApiToken -Name typed -StorePath $store; $t -is [MdApiTokens.Core.ApiTokens.NewApiTokenResult]; [MdApiTokens.Core.ApiTokens.ApiTokenPermission]::ReadAlerts",
            new System.Collections.Hashtable { ["store"] = StorePath }).Succeeded();
        Assert.Equal(true, result.Output[0].BaseObject);
        Assert.Equal("ReadAlerts", result.Output[1].ToString());
    }
}
