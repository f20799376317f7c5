using System;
using System.Management.Automation;
using MdApiTokens.Core.ApiTokens;

namespace MdApiTokens.Commands.ApiTokens;

/// <summary>Lists who has which role in the store.</summary>
[Cmdlet(VerbsCommon.Get, "ApiTokenRole")]
[OutputType(typeof(RoleAssignment))]
public sealed class GetApiTokenRoleCommand : ApiTokenStoreCmdlet
{
    /// <summary>Accounts to list; wildcards allowed.</summary>
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(ApiTokenUserCompleter))]
    public string[]? User { get; set; }

    /// <summary>Only accounts with this role.</summary>
    [Parameter]
    public ApiTokenRole Role { get; set; }

    protected override void ProcessRecordCore()
    {
        var filter = User is { Length: > 0 } ? TokenNameMatcher.Create(User).IsMatch : (Func<string, bool>?)null;
        WriteObject(CreateService().ListRoles(filter, IsBound(nameof(Role)) ? Role : null), enumerateCollection: true);
    }
}
