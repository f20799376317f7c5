using System;
using System.Management.Automation;
using MdApiTokens.Core.ApiTokens;

namespace MdApiTokens.Commands.ApiTokens;

/// <summary>Issues an API token; its value is in the output this once and stored nowhere.</summary>
[Cmdlet(VerbsCommon.New, "ApiToken", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
[OutputType(typeof(NewApiTokenResult))]
public sealed class NewApiTokenCommand : ApiTokenStoreCmdlet
{
    /// <summary>A name that says what will use the token.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string Name { get; set; } = "";

    /// <summary>The operations the token may perform; by default all that the caller's role allows.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public ApiTokenPermission[]? Permission { get; set; }

    /// <summary>How long the token is valid; by default it does not expire.</summary>
    [Parameter]
    public TimeSpan ExpiresIn { get; set; }

    protected override void ProcessRecordCore()
    {
        var service = CreateService();
        if (!ShouldProcess($"API token store '{service.Store.DirectoryPath}'", $"Issue API token '{Name}'"))
        {
            return;
        }

        // A name in use or invalid is about this name only (ErrorScope.Item): names piped after it are still issued.
        var result = service.Issue(Name, Permission, IsBound(nameof(ExpiresIn)) ? ExpiresIn : null);

        WriteVerbose($"Issued API token '{result.Name}' ({result.Id}, {result.Hint}) with {string.Join(", ", result.Permissions)}.");
        WriteObject(result);
    }
}
