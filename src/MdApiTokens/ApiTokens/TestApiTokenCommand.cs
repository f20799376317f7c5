using System.Management.Automation;
using MdApiTokens.Core.ApiTokens;

namespace MdApiTokens.Commands.ApiTokens;

/// <summary>Checks a presented token value against the store; a successful check records the token's use.</summary>
[Cmdlet(VerbsDiagnostic.Test, "ApiToken")]
[OutputType(typeof(bool), typeof(ApiTokenValidationResult))]
public sealed class TestApiTokenCommand : ApiTokenStoreCmdlet
{
    /// <summary>The token value as presented by a client.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [AllowEmptyString]
    public string Token { get; set; } = "";

    /// <summary>A permission the token must carry.</summary>
    [Parameter]
    public ApiTokenPermission Permission { get; set; }

    /// <summary>Return the full result (IsValid, Reason, the token record) instead of $true/$false.</summary>
    [Parameter]
    public SwitchParameter Detailed { get; set; }

    protected override void ProcessRecordCore()
    {
        var result = SharedValidator().Validate(Token, IsBound(nameof(Permission)) ? Permission : null);
        WriteVerbose(result.Token is null ? $"Token check: {result.Reason}." : $"Token check: {result.Reason} ({result.Token.Name}, {result.Token.Id}).");
        if (Detailed)
        {
            WriteObject(result);
        }
        else
        {
            WriteObject(result.IsValid);
        }
    }
}
