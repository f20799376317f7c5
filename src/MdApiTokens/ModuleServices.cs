using System;
using System.Collections.Generic;
using System.Management.Automation.Runspaces;
using System.Runtime.CompilerServices;
using MdApiTokens.Core;

namespace MdApiTokens.Commands;

/// <summary>
/// What the cmdlets take from their surroundings (time, the caller's account, lock timeout, and whatever a capability
/// adds), replaceable per runspace so tests can move the clock or act as another account without touching the real
/// ones or each other. Internal: tests reach <see cref="SetOverride"/> by reflection; nothing here is module surface.
/// </summary>
internal static class ModuleServices
{
    /// <summary>Key of a <c>Func&lt;DateTimeOffset&gt;</c> giving the current time.</summary>
    public const string NowKey = "Now";

    /// <summary>Key of a <c>Func&lt;string&gt;</c> giving the caller's account name.</summary>
    public const string CallerKey = "Caller";

    /// <summary>Key of a <see cref="TimeSpan"/>: how long store changes wait for the lock.</summary>
    public const string LockTimeoutKey = "LockTimeout";

    private static readonly ConditionalWeakTable<Runspace, Dictionary<string, object>> s_overrides = new();

    public static IClock Clock => Get<Func<DateTimeOffset>>(NowKey) is { } now ? new DelegateClock(now) : SystemClock.Instance;

    public static string Caller => Get<Func<string>>(CallerKey)?.Invoke() ?? CallerIdentity.Current();

    public static TimeSpan? LockTimeout => Get<object>(LockTimeoutKey) is TimeSpan timeout ? timeout : null;

    /// <summary>The override stored under <paramref name="key"/> for the runspace running this thread, or null.</summary>
    public static T? Get<T>(string key)
        where T : class
    {
        if (Runspace.DefaultRunspace is not { } runspace || !s_overrides.TryGetValue(runspace, out var values))
        {
            return null;
        }

        lock (values)
        {
            return values.TryGetValue(key, out var value) ? value as T : null;
        }
    }

    /// <summary>Stores (or with null removes) an override for cmdlets running in <paramref name="runspace"/>.</summary>
    public static void SetOverride(Runspace runspace, string key, object? value)
    {
        var values = s_overrides.GetValue(runspace, _ => new Dictionary<string, object>(StringComparer.Ordinal));
        lock (values)
        {
            if (value is null)
            {
                values.Remove(key);
            }
            else
            {
                values[key] = value;
            }
        }
    }
}
