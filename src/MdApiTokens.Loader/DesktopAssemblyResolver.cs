using System;
using System.IO;
using System.Reflection;

namespace MdApiTokens.Loader;

/// <summary>
/// Windows PowerShell: no load contexts, and no binding redirects for modules. The module's assemblies are loaded from
/// <c>dependencies</c> (and <c>dependencies/desktop</c>) through AppDomain.AssemblyResolve, as
/// <see cref="DesktopResolvePolicy"/> decides. One process holds one copy of each assembly by name: where another module
/// needs a different MSAL in the same session, PowerShell 7 keeps the two apart; Windows PowerShell cannot.
/// </summary>
internal static class DesktopAssemblyResolver
{
    private static string s_moduleDirectory = "";
    private static string s_dependencyDirectory = "";

    public static void Register(string moduleDirectory, string dependencyDirectory)
    {
        s_moduleDirectory = moduleDirectory;
        s_dependencyDirectory = dependencyDirectory;
        AppDomain.CurrentDomain.AssemblyResolve += OnAssemblyResolve;
    }

    public static void Unregister() => AppDomain.CurrentDomain.AssemblyResolve -= OnAssemblyResolve;

    private static Assembly? OnAssemblyResolve(object? sender, ResolveEventArgs args)
    {
        var requested = new AssemblyName(args.Name);
        if (string.IsNullOrEmpty(requested.Name) || DesktopResolvePolicy.FileFor(s_dependencyDirectory, requested.Name) is not { } path)
        {
            return null;
        }

        // The event is raised for every module's failures: a file of ours that cannot be read is a "no", never an
        // exception thrown into someone else's load.
        AssemblyName ours;
        try
        {
            ours = AssemblyName.GetAssemblyName(path);
        }
        catch (Exception e) when (e is IOException or BadImageFormatException or UnauthorizedAccessException)
        {
            return null;
        }

        // Assembly.Location throws for an assembly built in memory; such a requester is not ours.
        var requester = args.RequestingAssembly is { IsDynamic: false } assembly ? assembly.Location : null;
        return DesktopResolvePolicy.ShouldAnswer(requested, ours, requester, s_moduleDirectory) ? Assembly.LoadFrom(path) : null;
    }
}
