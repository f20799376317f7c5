using System;
using System.IO;
using System.Management.Automation;
using System.Net;

namespace MdApiTokens.Loader;

/// <summary>
/// The module's first assembly (a nested module, imported before the cmdlets): makes the <c>dependencies</c> folder
/// loadable without clashing with other modules' versions of the same assemblies (Az.Accounts and
/// Microsoft.Graph.Authentication ship their own MSAL and IdentityModel). It picks the way by edition: on PowerShell 7
/// it hands over to MdApiTokens.LoadContext.dll, an ordinary AssemblyLoadContext built for .NET 8; on Windows
/// PowerShell, which has no load contexts, it answers AssemblyResolve for the module's own assemblies and makes sure
/// TLS 1.2 is on. Remove-Module unhooks it once no runspace that imported the module still has it.
/// </summary>
public sealed class DependencyLoader : IModuleAssemblyInitializer, IModuleAssemblyCleanup
{
    private static readonly ImportCount s_imports = new(Hook, Unhook);

    private static string ModuleDirectory { get; } = Path.GetDirectoryName(typeof(DependencyLoader).Assembly.Location) ?? ".";

    private static string DependencyDirectory { get; } = Path.Combine(ModuleDirectory, "dependencies");

    // The edition, from the runtime: only .NET (PowerShell 7) has load contexts.
    private static bool RunsOnNetFramework { get; } = typeof(object).Assembly.GetType("System.Runtime.Loader.AssemblyLoadContext") is null;

    /// <summary>Called by PowerShell each time a runspace imports the module.</summary>
    public void OnImport() => s_imports.Add();

    /// <summary>Called by PowerShell when Remove-Module removes the module from a runspace.</summary>
    public void OnRemove(PSModuleInfo psModuleInfo) => s_imports.Remove();

    private static void Hook()
    {
        if (RunsOnNetFramework)
        {
            EnableModernTls();
            DesktopAssemblyResolver.Register(ModuleDirectory, DependencyDirectory);
        }
        else
        {
            LoadContextBridge.Register(ModuleDirectory, DependencyDirectory);
        }
    }

    // .NET Framework's HttpClient, the module's and MSAL's, takes its protocols from ServicePointManager.
    private static void EnableModernTls()
    {
        var current = ServicePointManager.SecurityProtocol;
        try
        {
            ServicePointManager.SecurityProtocol = TlsProtocols.WithModernTls(current, TlsProtocols.OsHasTls13(Environment.OSVersion));
        }
        catch (NotSupportedException)
        {
            // .NET Framework before 4.8 refuses TLS 1.3 (12288); TLS 1.2 alone still gets the module through.
            ServicePointManager.SecurityProtocol = TlsProtocols.WithModernTls(current, osHasTls13: false);
        }
    }

    private static void Unhook()
    {
        if (RunsOnNetFramework)
        {
            DesktopAssemblyResolver.Unregister();
        }
        else
        {
            LoadContextBridge.Unregister();
        }
    }
}
