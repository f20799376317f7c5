using System;
using System.Management.Automation;
using MdApiTokens.Core.ApiTokens;

namespace MdApiTokens.Commands.ApiTokens;

/// <summary>Revokes API tokens: they are removed from the table and stop validating at once.</summary>
[Cmdlet(VerbsSecurity.Revoke, "ApiToken", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High, DefaultParameterSetName = ByNameSet)]
[OutputType(typeof(ApiTokenInfo))]
public sealed class RevokeApiTokenCommand : ApiTokenStoreCmdlet
{
    private const string ByIdSet = "ById";
    private const string ByNameSet = "ByName";

    /// <summary>Ids of the tokens to revoke; bound from Get-ApiToken output.</summary>
    [Parameter(Mandatory = true, ParameterSetName = ByIdSet, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(ApiTokenIdCompleter))]
    public string[] Id { get; set; } = Array.Empty<string>();

    /// <summary>Names of the tokens to revoke; wildcards allowed. Positional, so <c>Revoke-ApiToken siem</c> works.</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = ByNameSet)]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(ApiTokenNameCompleter))]
    public string[] Name { get; set; } = Array.Empty<string>();

    /// <summary>Write the revoked tokens to the pipeline.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecordCore()
    {
        var service = CreateService();
        var selection = ParameterSetName == ByIdSet
            ? service.Select(ApiTokenKey.Id, Id, TokenNameMatcher.Compile)
            : service.Select(ApiTokenKey.Name, Name, TokenNameMatcher.Compile);

        // Revoked by someone else since it was listed: reported, and the other matches are still revoked.
        ForEachItem(selection.Matches, match =>
        {
            if (match.NotFound is { } notFound)
            {
                throw notFound;
            }

            ForEachItem(match.Tokens, token => Revoke(service, token));
        });
    }

    private void Revoke(ApiTokenService service, ApiTokenInfo token)
    {
        var owner = string.Equals(token.Issuer, service.Caller, StringComparison.Ordinal) ? "" : $", issued by {token.Issuer}";
        if (!ShouldProcess($"API token '{token.Name}' ({token.Id}{owner})", "Revoke"))
        {
            return;
        }

        var revoked = service.Revoke(token.Id);
        WriteVerbose($"Revoked API token '{revoked.Name}' ({revoked.Id}); it no longer validates.");
        if (PassThru)
        {
            WriteObject(revoked);
        }
    }
}
