using System.Management.Automation;
using MdApiTokens.Core.ApiTokens;

namespace MdApiTokens.Commands.ApiTokens;

/// <summary>Gives an account a role in the store (replacing any role it had). Global admins only.</summary>
[Cmdlet(VerbsSecurity.Grant, "ApiTokenRole", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(RoleAssignment))]
public sealed class GrantApiTokenRoleCommand : ApiTokenStoreCmdlet
{
    /// <summary>The account: DOMAIN\user on Windows, the user name elsewhere.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(ApiTokenUserCompleter))]
    public string User { get; set; } = "";

    /// <summary>The role to give.</summary>
    [Parameter(Mandatory = true, Position = 1, ValueFromPipelineByPropertyName = true)]
    public ApiTokenRole Role { get; set; }

    protected override void ProcessRecordCore()
    {
        var service = CreateService();
        if (ShouldProcess($"'{User}' in API token store '{service.Store.DirectoryPath}'", $"Grant role {Role}"))
        {
            WriteObject(service.GrantRole(User, Role));
        }
    }
}
