using System;
using System.Linq;
using System.Management.Automation;
using System.Reflection;
using MdApiTokens.Core;

namespace MdApiTokens.Commands;

/// <summary>
/// Runs when the cmdlets are imported (after the loader, a nested module, has made Core loadable). On PowerShell 7,
/// Core lives in a private load context, whose types PowerShell does not find by name; registering each public Core
/// type under its full name keeps <c>[MdApiTokens.Core.ApiTokens.ApiTokenInfo]</c>, <c>-is</c> and Pester's
/// <c>Should -BeOfType</c> working in scripts.
/// </summary>
public sealed class ModuleInitializer : IModuleAssemblyInitializer
{
    private static readonly object s_gate = new();
    private static bool s_registered;

    public void OnImport()
    {
        // Once per process: imports in several runspaces at once (a host, parallel tests) must not write PowerShell's
        // accelerator table concurrently; it is a plain dictionary.
        lock (s_gate)
        {
            if (s_registered)
            {
                return;
            }

            s_registered = true;
            try
            {
                RegisterCoreTypeNames();
            }
            catch (Exception e) when (e is TargetInvocationException or MemberAccessException or InvalidOperationException)
            {
                // Type names are a convenience for scripts; never a reason to fail the import.
            }
        }
    }

    private static void RegisterCoreTypeNames()
    {
        // TypeAccelerators is internal to PowerShell but stable since 3.0, and the usual way modules add type names.
        var accelerators = typeof(PSObject).Assembly.GetType("System.Management.Automation.TypeAccelerators");
        var add = accelerators?.GetMethod("Add", new[] { typeof(string), typeof(Type) });
        if (add is null)
        {
            return;
        }

        foreach (var type in typeof(MdApiTokensException).Assembly.GetExportedTypes().Where(t => !t.IsNested && t.FullName is not null))
        {
            add.Invoke(null, new object[] { type.FullName!, type });
        }
    }
}
