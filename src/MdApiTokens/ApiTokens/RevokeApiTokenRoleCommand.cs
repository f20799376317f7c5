using System.Management.Automation;
using MdApiTokens.Core.ApiTokens;

namespace MdApiTokens.Commands.ApiTokens;

/// <summary>Takes away an account's role; tokens it issued then carry no permissions. Global admins only.</summary>
[Cmdlet(VerbsSecurity.Revoke, "ApiTokenRole", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(RoleAssignment))]
public sealed class RevokeApiTokenRoleCommand : ApiTokenStoreCmdlet
{
    /// <summary>The account whose role to remove.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(ApiTokenUserCompleter))]
    public string User { get; set; } = "";

    /// <summary>Write the removed assignment to the pipeline.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecordCore()
    {
        var service = CreateService();
        if (!ShouldProcess($"'{User}' in API token store '{service.Store.DirectoryPath}'", "Remove role"))
        {
            return;
        }

        var removed = service.RevokeRole(User);
        if (PassThru)
        {
            WriteObject(removed);
        }
    }
}
