using System;
using System.Management.Automation;
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

    private protected ApiTokenStore OpenStore() => ResolveStoreLocation().Open(ModuleServices.LockTimeout);

    private protected ApiTokenService CreateService() => new(OpenStore(), ModuleServices.Clock, ModuleServices.Caller);
}
