using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;
using System.Management.Automation.Runspaces;
using MdApiTokens.Core;
using MdApiTokens.Core.ApiTokens;

namespace MdApiTokens.Commands.ApiTokens;

/// <summary>Tab completion of token names from the store the command line points at.</summary>
public sealed class ApiTokenNameCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters) =>
        CompleterStore.Complete(fakeBoundParameters, wordToComplete, s => s.List().Select(t => (t.Name, $"{t.Name} ({t.Id}, {t.Status})")));
}

/// <summary>Tab completion of token ids, with the token's name as the tooltip.</summary>
public sealed class ApiTokenIdCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters) =>
        CompleterStore.Complete(fakeBoundParameters, wordToComplete, s => s.List().Select(t => (t.Id, $"{t.Name} ({t.Status})")));
}

/// <summary>Tab completion of the accounts that have a role in the store.</summary>
public sealed class ApiTokenUserCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters) =>
        CompleterStore.Complete(fakeBoundParameters, wordToComplete, s => s.ListRoles().Select(r => (r.User, $"{r.User} ({r.Role})")));
}

internal static class CompleterStore
{
    public static IEnumerable<CompletionResult> Complete(IDictionary fakeBoundParameters, string wordToComplete, Func<ApiTokenService, IEnumerable<(string Value, string Tooltip)>> candidates)
    {
        var typed = (wordToComplete ?? "").Trim('\'', '"');
        try
        {
            var service = Open(fakeBoundParameters);
            return candidates(service)
                .Where(c => c.Value.StartsWith(typed, StringComparison.OrdinalIgnoreCase))
                .OrderBy(c => c.Value, StringComparer.OrdinalIgnoreCase)
                .Select(c => new CompletionResult(Quote(c.Value), c.Value, CompletionResultType.ParameterValue, c.Tooltip))
                .ToList();
        }
        catch (Exception e) when (e is MdApiTokensException or System.IO.IOException or UnauthorizedAccessException or ArgumentException or PSInvalidOperationException)
        {
            // No store, no role, a half-typed path: offer nothing rather than an error in the middle of typing.
            return Array.Empty<CompletionResult>();
        }
    }

    private static ApiTokenService Open(IDictionary fakeBoundParameters)
    {
        var explicitPath = fakeBoundParameters?["StorePath"] as string;
        var location = StoreLocation.Resolve(explicitPath, Environment.GetEnvironmentVariable, ResolvePath);
        return new ApiTokenService(location.Open(TimeSpan.FromSeconds(1)), ModuleServices.Clock, ModuleServices.Caller);
    }

    // Completion runs inside a pipeline, where SessionStateProxy is off limits; a nested command on the same runspace
    // resolves the path against the session's current location and drives (TestDrive:, ~, relative paths).
    private static string ResolvePath(string path)
    {
        if (Runspace.DefaultRunspace is null)
        {
            return System.IO.Path.GetFullPath(path);
        }

        using var nested = PowerShell.Create(RunspaceMode.CurrentRunspace);
        nested.AddScript("$ExecutionContext.SessionState.Path.GetUnresolvedProviderPathFromPSPath($args[0])").AddArgument(path);
        var resolved = nested.Invoke().FirstOrDefault()?.BaseObject as string;
        return resolved ?? throw new ArgumentException($"'{path}' is not a file-system path.");
    }

    private static string Quote(string value) =>
        value.IndexOfAny(new[] { ' ', '\'', '"', '`', '$', '(', ')', '{', '}', ';', ',', '&', '@', '#', '|', '<', '>' }) >= 0
            ? "'" + value.Replace("'", "''") + "'"
            : value;
}
