using System;
using System.IO;
using System.Reflection;

namespace MdApiTokens.Loader;

/// <summary>
/// PowerShell 7: the module's AssemblyLoadContext lives in MdApiTokens.LoadContext.dll, built for .NET 8, beside this
/// assembly. This netstandard2.0 assembly cannot reference it (Windows PowerShell must never load it), so it is loaded
/// by path and its two entry points are called by name.
/// </summary>
internal static class LoadContextBridge
{
    private const string AssemblyFileName = "MdApiTokens.LoadContext.dll";
    private const string TypeName = "MdApiTokens.LoadContext.ModuleLoadContext";

    private static Type? s_loadContext;

    public static void Register(string moduleDirectory, string dependencyDirectory)
    {
        s_loadContext ??= Assembly.LoadFrom(Path.Combine(moduleDirectory, AssemblyFileName)).GetType(TypeName, throwOnError: true)!;
        Call("Register", dependencyDirectory);
    }

    public static void Unregister() => Call("Unregister");

    private static void Call(string method, params object[] arguments)
    {
        var entryPoint = s_loadContext?.GetMethod(method, BindingFlags.Public | BindingFlags.Static)
            ?? throw new MissingMethodException(TypeName, method);
        entryPoint.Invoke(null, arguments);
    }
}
