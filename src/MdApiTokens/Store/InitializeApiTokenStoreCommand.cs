using System;
using System.Management.Automation;
using MdApiTokens.Core.ApiTokens;

namespace MdApiTokens.Commands.Store;

/// <summary>Creates an API token store with the caller as its global admin.</summary>
[Cmdlet(VerbsData.Initialize, "ApiTokenStore", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(ApiTokenStoreInfo))]
public sealed class InitializeApiTokenStoreCommand : ApiTokenStoreCmdlet
{
    /// <summary>The tenant portal URL to hand out with new tokens.</summary>
    [Parameter(Position = 0)]
    [ValidateNotNull]
    public Uri? TenantUrl { get; set; }

    protected override void ProcessRecordCore()
    {
        var service = CreateService();
        if (ShouldProcess(service.Store.DirectoryPath, $"Create API token store with '{service.Caller}' as global admin"))
        {
            WriteObject(service.Initialize(TenantUrl));
        }
    }
}
