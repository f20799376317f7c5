using MdApiTokens.Module.Tests.Infrastructure;

namespace MdApiTokens.Module.Tests.Loading;

/// <summary>
/// What the module's own assemblies may reference, read from their metadata. The cmdlets and the loader load into
/// PowerShell's default context before anything is set up, so they may name nothing that lives in the private context
/// except MdApiTokens.Core, the one door the loader opens; the load context assembly must run on PowerShell 7.4's .NET 8.
/// </summary>
public class AssemblyReferenceTests
{
    [Fact]
    public void The_cmdlet_assembly_references_only_netstandard_the_engine_Core_and_the_loader()
    {
        var references = Names(ModuleFile("MdApiTokens.dll"));

        Assert.Contains("MdApiTokens.Core", references);
        Assert.Subset(new HashSet<string> { "netstandard", "System.Management.Automation", "MdApiTokens.Core", "MdApiTokens.Loader" }, references);
    }

    [Fact]
    public void The_loader_references_only_netstandard_and_the_engine()
    {
        Assert.Subset(new HashSet<string> { "netstandard", "System.Management.Automation" }, Names(ModuleFile("MdApiTokens.Loader.dll")));
    }

    [Fact]
    public void The_load_context_is_built_for_dotnet_8_and_references_only_the_runtime_at_dotnet_8_versions()
    {
        var loadContext = AssemblyMetadata.Read(ModuleFile("MdApiTokens.LoadContext.dll"));
        var runtimeFolder = Path.GetDirectoryName(typeof(object).Assembly.Location)!;

        Assert.Equal(".NETCoreApp,Version=v8.0", loadContext.TargetFramework);
        Assert.All(loadContext.References, r =>
        {
            Assert.True(File.Exists(Path.Combine(runtimeFolder, r.Name + ".dll")), $"{r.Name} is not part of the .NET runtime");
            Assert.True(r.Version <= new Version(8, 0, 0, 0), $"{r.Name} {r.Version} is newer than .NET 8's");
        });
    }

    [Fact]
    public void Only_the_modules_own_assemblies_sit_beside_the_manifest_and_Windows_PowerShell_never_loads_the_load_context()
    {
        var root = Directory.GetFiles(ModuleLayout.Directory, "*.dll").Select(Path.GetFileName).OrderBy(n => n, StringComparer.Ordinal);
        Assert.Equal(new[] { "MdApiTokens.LoadContext.dll", "MdApiTokens.Loader.dll", "MdApiTokens.dll" }, root);

        // Windows PowerShell imports what the manifest names: the loader and the cmdlets, both netstandard2.0.
        var manifest = File.ReadAllText(ModuleLayout.ManifestPath);
        Assert.DoesNotContain("MdApiTokens.LoadContext", manifest, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(".NETStandard,Version=v2.0", AssemblyMetadata.Read(ModuleFile("MdApiTokens.Loader.dll")).TargetFramework);
        Assert.Equal(".NETStandard,Version=v2.0", AssemblyMetadata.Read(ModuleFile("MdApiTokens.dll")).TargetFramework);
    }

    private static string ModuleFile(string name) => Path.Combine(ModuleLayout.Directory, name);

    private static HashSet<string> Names(string path) => AssemblyMetadata.Read(path).References.Select(r => r.Name).ToHashSet();
}
