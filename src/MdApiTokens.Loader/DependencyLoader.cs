using System;
using System.IO;
using System.Management.Automation;
using System.Reflection;
using System.Reflection.Emit;

namespace MdApiTokens.Loader;

/// <summary>
/// Keeps the module's dependencies (MdApiTokens.Core, MSAL, IdentityModel, System.Text.Json ...) out of the way of
/// other modules that ship other versions of them (Az.Accounts, Microsoft.Graph.Authentication). They live in the
/// module's <c>dependencies</c> folder, where neither PowerShell nor .NET probe. On PowerShell 7 they load into a
/// private AssemblyLoadContext that prefers its own copies over anything already in the session, except for
/// assemblies the .NET runtime itself provides (so framework types stay shared); on Windows PowerShell they load
/// through an AssemblyResolve handler. Only MdApiTokens.Core is ever handed to the default context: the cmdlets'
/// way in.
/// </summary>
public sealed class DependencyLoader : IModuleAssemblyInitializer
{
    /// <summary>The folder, beside the module's dll, that holds its dependencies.</summary>
    public const string DependencyFolderName = "dependencies";

    private const string CoreAssemblyName = "MdApiTokens.Core";

    private static readonly object s_gate = new();
    private static bool s_registered;
    private static Func<AssemblyName, Assembly?>? s_loadIntoPrivateContext;

    internal static string DependencyDirectory { get; } =
        Path.Combine(Path.GetDirectoryName(typeof(DependencyLoader).Assembly.Location) ?? ".", DependencyFolderName);

    /// <summary>The private load context on PowerShell 7 (null on Windows PowerShell): tests check what went where.</summary>
    internal static object? PrivateContext { get; private set; }

    /// <summary>Called by PowerShell when the module is imported; registering twice is harmless.</summary>
    public void OnImport() => Register();

    internal static void Register()
    {
        lock (s_gate)
        {
            if (s_registered)
            {
                return;
            }

            var loadContextType = typeof(object).Assembly.GetType("System.Runtime.Loader.AssemblyLoadContext");
            if (loadContextType is not null)
            {
                s_loadIntoPrivateContext = CreatePrivateContext(loadContextType);
            }

            AppDomain.CurrentDomain.AssemblyResolve += OnAssemblyResolve;
            s_registered = true;
        }
    }

    private static Assembly? OnAssemblyResolve(object? sender, ResolveEventArgs args)
    {
        var name = new AssemblyName(args.Name);
        if (s_loadIntoPrivateContext is { } load)
        {
            // PowerShell 7: the default context asks only for Core; Core's own references go through the private context.
            return string.Equals(name.Name, CoreAssemblyName, StringComparison.OrdinalIgnoreCase) ? load(name) : null;
        }

        // Windows PowerShell: no load contexts and no binding redirects for modules, so resolve any assembly we ship
        // by name, whatever version was asked for.
        var path = PathFor(name);
        return path is null ? null : Assembly.LoadFrom(path);
    }

    private static string? PathFor(AssemblyName name)
    {
        if (string.IsNullOrEmpty(name.Name) || (name.CultureName is { Length: > 0 }))
        {
            return null;
        }

        var path = Path.Combine(DependencyDirectory, name.Name + ".dll");
        return File.Exists(path) ? path : null;
    }

    // True when the .NET runtime's own folder has this assembly at the asked-for version or newer: then it must come from
    // the default context, or types such as Span<T> or JsonElement would exist twice.
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

    // Emits "sealed class MdApiTokensLoadContext : AssemblyLoadContext { protected override Assembly Load(AssemblyName n)
    // => Resolver(n); }": netstandard2.0 cannot name AssemblyLoadContext, and only an override of Load lets our copies
    // win over versions other modules already loaded (the Resolving event only runs after the default context fails).
    private static Func<AssemblyName, Assembly?> CreatePrivateContext(Type loadContextType)
    {
        var assembly = AssemblyBuilder.DefineDynamicAssembly(new AssemblyName("MdApiTokens.LoadContext"), AssemblyBuilderAccess.Run);
        var module = assembly.DefineDynamicModule("MdApiTokens.LoadContext");
        var type = module.DefineType("MdApiTokensLoadContext", TypeAttributes.Public | TypeAttributes.Sealed | TypeAttributes.Class, loadContextType);
        var resolver = type.DefineField("Resolver", typeof(Func<AssemblyName, Assembly?>), FieldAttributes.Public | FieldAttributes.Static);

        var baseConstructor = loadContextType.GetConstructor(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic, null, new[] { typeof(string), typeof(bool) }, null)
            ?? throw new MissingMethodException(loadContextType.FullName, ".ctor(string, bool)");
        var constructor = type.DefineConstructor(MethodAttributes.Public, CallingConventions.Standard, new[] { typeof(string) });
        var il = constructor.GetILGenerator();
        il.Emit(OpCodes.Ldarg_0);
        il.Emit(OpCodes.Ldarg_1);
        il.Emit(OpCodes.Ldc_I4_0);
        il.Emit(OpCodes.Call, baseConstructor);
        il.Emit(OpCodes.Ret);

        var baseLoad = loadContextType.GetMethod("Load", BindingFlags.Instance | BindingFlags.NonPublic, null, new[] { typeof(AssemblyName) }, null)
            ?? throw new MissingMethodException(loadContextType.FullName, "Load");
        var load = type.DefineMethod("Load", MethodAttributes.Family | MethodAttributes.Virtual | MethodAttributes.HideBySig, typeof(Assembly), new[] { typeof(AssemblyName) });
        il = load.GetILGenerator();
        il.Emit(OpCodes.Ldsfld, resolver);
        il.Emit(OpCodes.Ldarg_1);
        il.Emit(OpCodes.Callvirt, typeof(Func<AssemblyName, Assembly?>).GetMethod("Invoke")!);
        il.Emit(OpCodes.Ret);
        type.DefineMethodOverride(load, baseLoad);

        var contextType = type.CreateTypeInfo()!.AsType();
        var context = Activator.CreateInstance(contextType, "MdApiTokens")!;
        var loadFromPath = (Func<string, Assembly>)Delegate.CreateDelegate(typeof(Func<string, Assembly>), context, "LoadFromAssemblyPath");
        var loadFromName = (Func<AssemblyName, Assembly>)Delegate.CreateDelegate(typeof(Func<AssemblyName, Assembly>), context, "LoadFromAssemblyName");
        Func<AssemblyName, Assembly?> resolve = name =>
            PathFor(name) is { } path && !ProvidedByRuntime(name) ? loadFromPath(path) : null;
        contextType.GetField("Resolver")!.SetValue(null, resolve);
        PrivateContext = context;
        return name => loadFromName(name);
    }
}
