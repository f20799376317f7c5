using System;
using System.Linq;
using System.Management.Automation;
using System.Reflection;
using MdApiTokens.Core;
using MdApiTokens.Loader;

namespace MdApiTokens.Commands;

/// <summary>
/// Runs when the cmdlets are imported (after the loader, a nested module, has made Core loadable). On PowerShell 7,
/// Core lives in a private load context, whose types PowerShell does not find by name; registering each public Core
/// type under its full name keeps <c>[MdApiTokens.Core.ApiTokens.ApiTokenInfo]</c>, <c>-is</c> and Pester's
/// <c>Should -BeOfType</c> working in scripts. The names are removed again when the last import is removed.
/// </summary>
public sealed class ModuleInitializer : IModuleAssemblyInitializer, IModuleAssemblyCleanup
{
    // Added by the first import in the process and removed by the last Remove-Module, under ImportCount's lock: imports in
    // several runspaces at once (a host, parallel tests) must not write PowerShell's accelerator table concurrently.
    private static readonly ImportCount s_imports = new(AddCoreTypeNames, RemoveCoreTypeNames);

    public void OnImport() => s_imports.Add();

    public void OnRemove(PSModuleInfo psModuleInfo) => s_imports.Remove();

    private static void AddCoreTypeNames() =>
        ForEachCoreType("Add", new[] { typeof(string), typeof(Type) }, type => new object[] { type.FullName!, type });

    private static void RemoveCoreTypeNames() =>
        ForEachCoreType("Remove", new[] { typeof(string) }, type => new object[] { type.FullName! });

    private static void ForEachCoreType(string method, Type[] signature, Func<Type, object[]> arguments)
    {
        try
        {
            // TypeAccelerators is internal to PowerShell but stable since 3.0, and the usual way modules add type names.
            var accelerators = typeof(PSObject).Assembly.GetType("System.Management.Automation.TypeAccelerators");
            if (accelerators?.GetMethod(method, signature) is not { } call)
            {
                return;
            }

            foreach (var type in typeof(MdApiTokensException).Assembly.GetExportedTypes().Where(t => !t.IsNested && t.FullName is not null))
            {
                call.Invoke(null, arguments(type));
            }
        }
        catch (Exception e) when (e is TargetInvocationException or MemberAccessException or InvalidOperationException)
        {
            // Type names are a convenience for scripts; never a reason to fail an import or a removal.
        }
    }
}
