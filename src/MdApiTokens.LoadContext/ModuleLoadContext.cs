using System;
using System.IO;
using System.Reflection;
using System.Runtime.Loader;

namespace MdApiTokens.LoadContext;

/// <summary>
/// The module's private load context on PowerShell 7. MdApiTokens.Core and the packages it uses (MSAL, IdentityModel ...)
/// load here from the module's <c>dependencies</c> folder, so versions that other modules (Az.Accounts,
/// Microsoft.Graph.Authentication) load into the default context neither replace ours nor are replaced by them.
/// Assemblies the .NET runtime itself provides at the asked-for version or newer stay in the default context, so
/// framework types such as <c>JsonElement</c> exist once in the process.
/// </summary>
public sealed class ModuleLoadContext : AssemblyLoadContext
{
    private const string CoreAssemblyName = "MdApiTokens.Core";

    private static readonly object s_gate = new();
    private static ModuleLoadContext? s_instance;

    private readonly string _dependencyDirectory;

    // Not collectible: the cmdlets' assembly sits in the default context, which can never unload, and binds to Core in
    // this one; the runtime refuses references from a non-collectible assembly into a collectible one.
    private ModuleLoadContext(string dependencyDirectory)
        : base("MdApiTokens", isCollectible: false)
    {
        _dependencyDirectory = dependencyDirectory;
    }

    /// <summary>
    /// Lets the default context find MdApiTokens.Core, loaded in this context: the cmdlets' only way in. The context is
    /// created on the first call and kept for the life of the process; later calls only hook the default context again.
    /// </summary>
    public static void Register(string dependencyDirectory)
    {
        lock (s_gate)
        {
            s_instance ??= new ModuleLoadContext(dependencyDirectory);
            Default.Resolving -= ResolveCore;
            Default.Resolving += ResolveCore;
        }
    }

    /// <summary>
    /// Stops answering the default context (on Remove-Module). What already loaded stays loaded: a load context that
    /// the default context's assemblies have bound to cannot be unloaded.
    /// </summary>
    public static void Unregister()
    {
        lock (s_gate)
        {
            Default.Resolving -= ResolveCore;
        }
    }

    /// <summary>Our copy of an assembly, unless the runtime provides it: then the default context's copy is used.</summary>
    protected override Assembly? Load(AssemblyName assemblyName)
    {
        if (string.IsNullOrEmpty(assemblyName.Name) || !string.IsNullOrEmpty(assemblyName.CultureName))
        {
            return null;
        }

        var path = Path.Combine(_dependencyDirectory, assemblyName.Name + ".dll");
        return File.Exists(path) && !ProvidedByRuntime(assemblyName) ? LoadFromAssemblyPath(path) : null;
    }

    private static Assembly? ResolveCore(AssemblyLoadContext context, AssemblyName name) =>
        string.Equals(name.Name, CoreAssemblyName, StringComparison.OrdinalIgnoreCase) ? s_instance?.LoadFromAssemblyName(name) : null;

    // True when the runtime's own folder has this assembly at the asked-for version or newer: then it must come from the
    // default context, or types such as Span<T> or JsonElement would exist twice.
    private static bool ProvidedByRuntime(AssemblyName name)
    {
        var runtimeCopy = Path.Combine(Path.GetDirectoryName(typeof(object).Assembly.Location) ?? "", name.Name + ".dll");
        if (!File.Exists(runtimeCopy))
        {
            return false;
        }

        try
        {
            return name.Version is null || AssemblyName.GetAssemblyName(runtimeCopy).Version >= name.Version;
        }
        catch (Exception e) when (e is BadImageFormatException or IOException)
        {
            return false;
        }
    }
}
