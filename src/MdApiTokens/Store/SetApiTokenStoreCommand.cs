using System;
using System.Management.Automation;
using MdApiTokens.Core.ApiTokens;

namespace MdApiTokens.Commands.Store;

/// <summary>Changes the store's tenant portal URL. Global admins only.</summary>
[Cmdlet(VerbsCommon.Set, "ApiTokenStore", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(ApiTokenStoreInfo))]
public sealed class SetApiTokenStoreCommand : ApiTokenStoreCmdlet
{
    /// <summary>The tenant portal URL to hand out with new tokens; $null clears it.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [AllowNull]
    public Uri? TenantUrl { get; set; }

    /// <summary>Write the updated store information to the pipeline.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecordCore()
    {
        var service = CreateService();
        var action = TenantUrl is null ? "Clear tenant URL" : $"Set tenant URL to {TenantUrl}";
        if (!ShouldProcess(service.Store.DirectoryPath, action))
        {
            return;
        }

        var info = service.SetTenantUrl(TenantUrl);
        if (PassThru)
        {
            WriteObject(info);
        }
    }
}
