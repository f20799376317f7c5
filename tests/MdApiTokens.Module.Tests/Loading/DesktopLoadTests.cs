using MdApiTokens.Loader;
using MdApiTokens.Module.Tests.Infrastructure;

namespace MdApiTokens.Module.Tests.Loading;

/// <summary>
/// Windows PowerShell 5.1 runs on .NET Framework, which has no copy of its own of System.Security.AccessControl,
/// System.Security.Principal.Windows, System.IO.FileSystem.AccessControl or System.Security.Cryptography.Cng. The
/// netstandard2.0 builds of those packages are platform-not-supported stubs, so shipped to 5.1 every store write would
/// fail; the module ships their .NET Framework builds in dependencies/desktop/. Read from metadata, so this runs on any OS.
/// </summary>
public class DesktopLoadTests
{
    private static readonly string s_dependencies = Path.Combine(ModuleLayout.Directory, "dependencies");

    private static readonly string[] s_windowsPackages =
    {
        "System.IO.FileSystem.AccessControl", "System.Security.AccessControl", "System.Security.Principal.Windows", "System.Security.Cryptography.Cng",
    };

    [Fact]
    public void No_assembly_Windows_PowerShell_would_load_from_the_module_is_a_platform_not_supported_stub()
    {
        var loaded = AssembliesLoadedOnDesktop();

        Assert.Subset(loaded.Keys.ToHashSet(), s_windowsPackages.Append("MdApiTokens.Core").Append("Microsoft.Identity.Client").ToHashSet());
        Assert.Empty(loaded.Values.Where(a => a.IsPlatformNotSupportedStub).Select(a => a.ToString()));
        Assert.All(s_windowsPackages, name => Assert.StartsWith(Path.Combine(s_dependencies, DesktopResolvePolicy.DesktopFolderName), loaded[name].Path));
    }

    [Fact]
    public void The_stub_check_recognises_the_netstandard_builds_of_the_Windows_packages_and_passes_the_real_dependencies()
    {
        var stubs = s_windowsPackages.Select(n => AssemblyMetadata.Read(Path.Combine(AppContext.BaseDirectory, "PlatformStubs", n + ".dll")));
        Assert.All(stubs, s => Assert.True(s.IsPlatformNotSupportedStub, s.ToString()));

        // MSAL throws PlatformNotSupportedException from a member or two where netstandard2.0 lacks a platform feature.
        var msal = AssemblyMetadata.Read(Path.Combine(s_dependencies, "Microsoft.Identity.Client.dll"));
        Assert.InRange(msal.PublicMethodsThatOnlyThrowPlatformNotSupported, 0, 5);
        Assert.False(msal.IsPlatformNotSupportedStub, msal.ToString());
    }

    [Fact]
    public void No_file_in_dependencies_shadows_a_desktop_build()
    {
        // .NET Framework probes beside an assembly loaded from a path before asking the resolver: a stub beside
        // MdApiTokens.Core.dll would be found first, whatever the resolver prefers.
        var desktop = Directory.GetFiles(Path.Combine(s_dependencies, DesktopResolvePolicy.DesktopFolderName), "*.dll").Select(Path.GetFileName).ToList();

        Assert.Equal(s_windowsPackages.Select(n => n + ".dll").OrderBy(n => n), desktop.OrderBy(n => n));
        Assert.All(desktop, name => Assert.False(File.Exists(Path.Combine(s_dependencies, name!)), $"dependencies/{name} shadows dependencies/desktop/{name}"));
    }

    // From the two assemblies Windows PowerShell imports, every reference the module's resolver answers, transitively;
    // the rest (mscorlib, netstandard, System.*) is .NET Framework's own.
    private static Dictionary<string, AssemblyMetadata> AssembliesLoadedOnDesktop()
    {
        var loaded = new Dictionary<string, AssemblyMetadata>(StringComparer.OrdinalIgnoreCase);
        var pending = new Queue<AssemblyMetadata>(new[] { "MdApiTokens.Loader.dll", "MdApiTokens.dll" }.Select(f => AssemblyMetadata.Read(Path.Combine(ModuleLayout.Directory, f))));
        while (pending.TryDequeue(out var assembly))
        {
            if (!loaded.TryAdd(assembly.Name, assembly))
            {
                continue;
            }

            foreach (var reference in assembly.References.Where(r => !loaded.ContainsKey(r.Name)))
            {
                if (DesktopResolvePolicy.FileFor(s_dependencies, reference.Name) is { } path)
                {
                    pending.Enqueue(AssemblyMetadata.Read(path));
                }
            }
        }

        return loaded;
    }
}
