using System.Management.Automation;
using MdApiTokens.Core.ApiTokens;

namespace MdApiTokens.Commands.Store;

/// <summary>Shows where the store is, its tenant URL and the caller's role in it.</summary>
[Cmdlet(VerbsCommon.Get, "ApiTokenStore")]
[OutputType(typeof(ApiTokenStoreInfo))]
public sealed class GetApiTokenStoreCommand : ApiTokenStoreCmdlet
{
    protected override void ProcessRecordCore() => WriteObject(CreateService().GetStoreInfo());
}
