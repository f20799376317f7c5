using System;
using System.Collections.Concurrent;
using System.Management.Automation;
using MdApiTokens.Core;
using MdApiTokens.Core.ApiTokens;

namespace MdApiTokens.Commands;

/// <summary>Base of the cmdlets that work on an API token store: the -StorePath parameter and its precedence over $env:MDAPITOKENS_STORE and the default folder.</summary>
public abstract class ApiTokenStoreCmdlet : MdApiTokensCmdlet
{
    /// <summary>The store folder. Overrides $env:MDAPITOKENS_STORE, which overrides the per-user default.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string? StorePath { get; set; }

    private protected StoreLocation ResolveStoreLocation()
    {
        var location = StoreLocation.Resolve(
            StorePath,
            Environment.GetEnvironmentVariable,
            path => PowerShellPaths.ToFileSystemPath(SessionState.Path, path, ApiTokenErrors.StorePathInvalid, "store path"));
        WriteVerbose($"API token store: {location.Path} (from {location.Source}).");
        return location;
    }

    private const int MaxSharedValidators = 64;

    private static readonly ConcurrentDictionary<string, ApiTokenValidator> s_validators = new(StringComparer.Ordinal);

    private static readonly IClock s_moduleClock = new DelegateClock(() => ModuleServices.Clock.UtcNow);

    private protected ApiTokenStore OpenStore() => OpenStore(ResolveStoreLocation());

    private static ApiTokenStore OpenStore(StoreLocation location) => location.Open(ModuleServices.LockTimeout);

    /// <summary>
    /// The validator of the store this command names, one per store path for the life of the module (it is
    /// thread-safe and keeps the parsed store while the file is unchanged), asking for the time and the caller on each
    /// check so per-runspace overrides still apply.
    /// </summary>
    private protected ApiTokenValidator SharedValidator()
    {
        var location = ResolveStoreLocation();
        if (s_validators.TryGetValue(location.Path, out var validator))
        {
            return validator;
        }

        var store = OpenStore(location);
        if (s_validators.Count >= MaxSharedValidators)
        {
            s_validators.Clear(); // a script walking many store paths: start over rather than grow without bound
        }

        return s_validators.GetOrAdd(location.Path, _ => new ApiTokenValidator(store, s_moduleClock, () => ModuleServices.Caller));
    }

    private protected ApiTokenService CreateService() => new(OpenStore(), ModuleServices.Clock, ModuleServices.Caller);
}
