using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Host;
using System.Management.Automation.Runspaces;
using System.Reflection;

namespace MdApiTokens.Module.Tests.Infrastructure;

/// <summary>The outcome of running commands through the engine: output, non-terminating errors and any terminating one.</summary>
public sealed class RunResult
{
    public RunResult(IReadOnlyList<PSObject> output, IReadOnlyList<ErrorRecord> errors, RuntimeException? terminating, IReadOnlyList<string> warnings, IReadOnlyList<string> verbose)
    {
        Output = output;
        Errors = errors;
        Terminating = terminating;
        Warnings = warnings;
        Verbose = verbose;
    }

    public IReadOnlyList<PSObject> Output { get; }

    public IReadOnlyList<ErrorRecord> Errors { get; }

    public RuntimeException? Terminating { get; }

    public IReadOnlyList<string> Warnings { get; }

    public IReadOnlyList<string> Verbose { get; }

    /// <summary>Every error, terminating or not.</summary>
    public IEnumerable<ErrorRecord> AllErrors =>
        Terminating?.ErrorRecord is { } t ? Errors.Append(t) : Errors;

    public T Single<T>() => Assert.IsType<T>(Assert.Single(Output).BaseObject);

    public IReadOnlyList<T> All<T>() => Output.Select(o => Assert.IsType<T>(o.BaseObject)).ToList();

    public RunResult Succeeded()
    {
        Assert.True(Terminating is null && Errors.Count == 0, "expected no errors but got: " + string.Join(" | ", AllErrors.Select(e => $"{e.FullyQualifiedErrorId}: {e}")));
        return this;
    }

    /// <summary>Asserts exactly one error with this id and category; returns it.</summary>
    public ErrorRecord SingleError(string errorId, ErrorCategory category)
    {
        var error = Assert.Single(AllErrors);
        Assert.Equal(errorId, error.FullyQualifiedErrorId.Split(',')[0]);
        Assert.Equal(category, error.CategoryInfo.Category);
        return error;
    }
}

/// <summary>
/// A runspace of the real PowerShell engine (System.Management.Automation) with the built module imported from its
/// manifest, as a user's session would have it. Clock and caller can be replaced for this runspace only.
/// </summary>
public sealed class PowerShellSession : IDisposable
{
    private readonly Runspace _runspace;
    private DateTimeOffset? _now;
    private string? _caller;

    public PowerShellSession(PSHost? host = null)
    {
        var state = InitialSessionState.CreateDefault2();
        _runspace = host is null ? RunspaceFactory.CreateRunspace(state) : RunspaceFactory.CreateRunspace(host, state);
        _runspace.Open();
        Run($"Import-Module -Name '{ModuleLayout.ManifestPath}' -ErrorAction Stop").Succeeded();
    }

    public Runspace Runspace => _runspace;

    /// <summary>Moves this session's clock to <paramref name="now"/> (null: the real clock).</summary>
    public DateTimeOffset? Now
    {
        get => _now;
        set
        {
            _now = value;
            ApplyOverrides();
        }
    }

    /// <summary>Makes the cmdlets in this session act as <paramref name="value"/> (null: the real account).</summary>
    public string? Caller
    {
        get => _caller;
        set
        {
            _caller = value;
            ApplyOverrides();
        }
    }

    /// <summary>Runs one command with parameters through the engine's parameter binder.</summary>
    public RunResult Command(string name, IDictionary? parameters = null, IEnumerable<object>? input = null)
    {
        using var ps = PowerShell.Create();
        ps.Runspace = _runspace;
        ps.AddCommand(name);
        if (parameters is not null)
        {
            foreach (DictionaryEntry p in parameters)
            {
                ps.AddParameter((string)p.Key, p.Value);
            }
        }

        return Invoke(ps, input);
    }

    /// <summary>Runs a script; <paramref name="variables"/> are set first.</summary>
    public RunResult Run(string script, IDictionary? variables = null)
    {
        using var ps = PowerShell.Create();
        ps.Runspace = _runspace;
        if (variables is not null)
        {
            foreach (DictionaryEntry v in variables)
            {
                _runspace.SessionStateProxy.SetVariable((string)v.Key, v.Value);
            }
        }

        ps.AddScript(script);
        return Invoke(ps, null);
    }

    public object? GetVariable(string name) => _runspace.SessionStateProxy.GetVariable(name);

    /// <summary>Sets (null: removes) one of the module's per-runspace overrides, such as "Now" or "Caller".</summary>
    public void SetOverride(string key, object? value) => ModuleHooks.SetOverride(_runspace, key, value);

    public void Dispose() => _runspace.Dispose();

    private static RunResult Invoke(PowerShell ps, IEnumerable<object>? input)
    {
        RuntimeException? terminating = null;
        var output = new List<PSObject>();
        try
        {
            var results = input is null ? ps.Invoke() : ps.Invoke(input);
            output.AddRange(results);
        }
        catch (RuntimeException e)
        {
            terminating = e;
        }

        return new RunResult(
            output,
            ps.Streams.Error.ToList(),
            terminating,
            ps.Streams.Warning.Select(w => w.Message).ToList(),
            ps.Streams.Verbose.Select(v => v.Message).ToList());
    }

    private void ApplyOverrides()
    {
        var now = _now;
        var caller = _caller;
        SetOverride("Now", now is null ? null : new Func<DateTimeOffset>(() => now.Value));
        SetOverride("Caller", caller is null ? null : new Func<string>(() => caller));
    }
}

/// <summary>Where the built module is, and the module's internal test hooks, reached by reflection.</summary>
public static class ModuleLayout
{
    public static string Directory { get; } = typeof(ModuleLayout).Assembly
        .GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "ModuleDirectory").Value!;

    public static string ManifestPath => Path.Combine(Directory, "MdApiTokens.psd1");
}

internal static class ModuleHooks
{
    public static void SetOverride(Runspace runspace, string key, object? value)
    {
        var assembly = AppDomain.CurrentDomain.GetAssemblies().FirstOrDefault(a => a.GetName().Name == "MdApiTokens")
            ?? throw new InvalidOperationException("The MdApiTokens module is not loaded.");
        var services = assembly.GetType("MdApiTokens.Commands.ModuleServices", throwOnError: true)!;
        var method = services.GetMethod("SetOverride", BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic)!;
        method.Invoke(null, new[] { runspace, key, value });
    }
}
