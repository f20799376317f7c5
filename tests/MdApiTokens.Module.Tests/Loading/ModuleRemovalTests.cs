using System.Reflection;
using System.Runtime.Loader;
using MdApiTokens.Module.Tests.Infrastructure;

namespace MdApiTokens.Module.Tests.Loading;

/// <summary>These tests unhook the loader that every other test relies on, so they run alone, after the others.</summary>
[CollectionDefinition(nameof(LoaderHooksCollection), DisableParallelization = true)]
public sealed class LoaderHooksCollection
{
}

/// <summary>Remove-Module unhooks the loader once no runspace that imported the module has it; importing again hooks it again.</summary>
[Collection(nameof(LoaderHooksCollection))]
public class ModuleRemovalTests
{
    [Fact]
    public void Remove_Module_gives_back_the_import_it_took_and_the_module_imports_again_afterwards()
    {
        using var session = new PowerShellSession();
        var imported = Imports();

        session.Run("Remove-Module MdApiTokens").Succeeded();
        Assert.Equal(imported - 1, Imports());

        var folder = Directory.CreateTempSubdirectory("mdat-module-removal-").FullName;
        try
        {
            var result = session.Run(
                $"Import-Module -Name '{ModuleLayout.ManifestPath}' -ErrorAction Stop; (New-ApiToken -Name again -StorePath $store) -is [MdApiTokens.Core.ApiTokens.NewApiTokenResult]",
                new System.Collections.Hashtable { ["store"] = Path.Combine(folder, "store") }).Succeeded();
            Assert.Equal(true, result.Output.Single().BaseObject);
            Assert.Equal(imported, Imports());
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void Once_unhooked_the_default_context_no_longer_finds_Core_and_hooked_again_finds_the_same_copy()
    {
        using var session = new PowerShellSession();
        var loadContext = LoadedType("MdApiTokens.LoadContext", "MdApiTokens.LoadContext.ModuleLoadContext");
        var core = FindCore();
        Assert.Equal("MdApiTokens", AssemblyLoadContext.GetLoadContext(core!)!.Name);

        loadContext.GetMethod("Unregister")!.Invoke(null, null);
        try
        {
            Assert.Null(FindCore());
        }
        finally
        {
            loadContext.GetMethod("Register")!.Invoke(null, new object[] { Path.Combine(ModuleLayout.Directory, "dependencies") });
        }

        Assert.Same(core, FindCore());
    }

    private static Assembly? FindCore()
    {
        try
        {
            return AssemblyLoadContext.Default.LoadFromAssemblyName(new AssemblyName("MdApiTokens.Core"));
        }
        catch (FileNotFoundException)
        {
            return null;
        }
    }

    // The imports the loader counts in this process (runspaces closed without Remove-Module keep theirs).
    private static int Imports()
    {
        var imports = LoadedType("MdApiTokens.Loader", "MdApiTokens.Loader.DependencyLoader").GetField("s_imports", BindingFlags.NonPublic | BindingFlags.Static)!.GetValue(null)!;
        return (int)imports.GetType().GetField("_imports", BindingFlags.NonPublic | BindingFlags.Instance)!.GetValue(imports)!;
    }

    private static Type LoadedType(string assembly, string type) =>
        AppDomain.CurrentDomain.GetAssemblies().Single(a => a.GetName().Name == assembly).GetType(type, throwOnError: true)!;
}
