using System;
using System.Management.Automation;
using MdApiTokens.Core;
using MdApiTokens.Core.PartnerAccess;
using MdApiTokens.Core.Shared;

namespace MdApiTokens.Commands.PartnerAccess;

/// <summary>Gives the link a customer's Global Administrator opens to consent to the partner application.</summary>
[Cmdlet(VerbsCommon.Get, "PartnerConsentLink")]
[OutputType(typeof(PartnerConsentLink))]
public sealed class GetPartnerConsentLinkCommand : MdApiTokensCmdlet
{
    /// <summary>The partner application's id.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("ApplicationId", "AppId")]
    [AllowEmptyString]
    public string ClientId { get; set; } = "";

    /// <summary>The customer tenant the administrator signs in to; by default "common".</summary>
    [Parameter(Position = 1, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("Tenant")]
    public string? TenantId { get; set; }

    /// <summary>The cloud whose sign-in host the link points at.</summary>
    [Parameter]
    public AzureCloud Cloud { get; set; } = AzureCloud.Public;

    /// <summary>Another https sign-in host.</summary>
    [Parameter]
    [ValidateNotNull]
    public Uri? AuthorityHost { get; set; }

    protected override void ProcessRecordCore()
    {
        WriteObject(PartnerConsentLink.Create(ClientId, TenantId, Cloud, AuthorityHost));
    }
}
