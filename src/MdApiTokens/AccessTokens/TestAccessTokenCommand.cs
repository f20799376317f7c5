using System;
using System.Linq;
using System.Management.Automation;
using MdApiTokens.Commands.PartnerAccess;
using MdApiTokens.Core;
using MdApiTokens.Core.AccessTokens;
using MdApiTokens.Core.PartnerAccess;
using MdApiTokens.Core.Shared;

namespace MdApiTokens.Commands.AccessTokens;

/// <summary>Decodes an access token (JWT) and checks its lifetime, roles, tenant, audience and signature (by default against the issuer's published keys).</summary>
[Cmdlet(VerbsDiagnostic.Test, "AccessToken", DefaultParameterSetName = TokenSet)]
[OutputType(typeof(bool), typeof(AccessTokenValidationResult))]
public sealed class TestAccessTokenCommand : MdApiTokensCmdlet
{
    private const string TokenSet = "AccessToken";
    private const string PathSet = "Path";

    /// <summary>Key of a boxed <see cref="TimeSpan"/> in <see cref="ModuleServices"/>: how long one request for the issuer's metadata or keys may take.</summary>
    internal const string KeyRequestTimeoutKey = "AccessTokenKeyRequestTimeout";

    private AccessTokenSigningKeys? _signingKeys;

    /// <summary>The token; Get-PartnerAccessToken's output binds by property name.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true, ParameterSetName = TokenSet)]
    [AllowEmptyString]
    [AllowNull]
    [AccessTokenTextTransformation]
    public string? AccessToken { get; set; }

    /// <summary>A file holding the token (e.g. written by Get-PartnerAccessToken -OutFile).</summary>
    [Parameter(Mandatory = true, ParameterSetName = PathSet)]
    [ValidateNotNullOrEmpty]
    public string? Path { get; set; }

    /// <summary>Roles that must all be in the token's roles claim.</summary>
    [Parameter]
    [ArgumentCompleter(typeof(DefenderRoleCompleter))]
    [Alias("Role")]
    [ValidateNotNull]
    public string[]? RequiredRole { get; set; }

    /// <summary>The tenant id the tid claim must name.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? TenantId { get; set; }

    /// <summary>The API the token must be for; by default the Defender API of -Cloud.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Audience { get; set; }

    /// <summary>The cloud whose Defender API is the default audience and whose sign-in host publishes the keys; Get-PartnerAccessToken's output binds it by property name.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public AzureCloud Cloud { get; set; } = AzureCloud.Public;

    /// <summary>Another https sign-in host to fetch the issuer's keys from (a test fake); Get-PartnerAccessToken's output binds it by property name.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public Uri? AuthorityHost { get; set; }

    /// <summary>A JSON Web Key Set file with the issuer's signing keys, for checking offline.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? JwksPath { get; set; }

    /// <summary>Decode and check the claims only; the result says the signature was not checked.</summary>
    [Parameter]
    public SwitchParameter SkipSignatureCheck { get; set; }

    /// <summary>How far the token's times may be off this machine's clock.</summary>
    [Parameter]
    public TimeSpan ClockSkew { get; set; } = AccessTokenValidationOptions.DefaultClockSkew;

    /// <summary>Return the decoded claims and each check's outcome instead of $true/$false.</summary>
    [Parameter]
    public SwitchParameter Detailed { get; set; }

    protected override void BeginProcessingCore()
    {
        if (JwksPath is not null)
        {
            _signingKeys = AccessTokenSigningKeys.FromFile(PowerShellPaths.ToFileSystemPath(SessionState.Path, JwksPath, AccessTokenErrors.JwksNotFound, "signing key file"));
            WriteVerbose($"Signing keys from '{_signingKeys.Source}': {string.Join(", ", _signingKeys.KeyIds.DefaultIfEmpty("(no kid)"))}.");
        }
    }

    protected override void ProcessRecordCore()
    {
        var token = ParameterSetName == PathSet
            ? AccessTokenFile.Read(PowerShellPaths.ToFileSystemPath(SessionState.Path, Path!, AccessTokenErrors.TokenPathInvalid, "token file"))
            : AccessToken;
        var options = new AccessTokenValidationOptions
        {
            RequiredRoles = RequiredRole ?? Array.Empty<string>(),
            TenantId = TenantId,
            Audience = Audience ?? CloudTable.For(Cloud).DefenderApiAudience,
            SigningKeys = _signingKeys,
            SkipSignatureCheck = SkipSignatureCheck,
            Cloud = Cloud,
            AuthorityHost = AuthorityHost,
            KeyRequestTimeout = ModuleServices.Get<object>(KeyRequestTimeoutKey) is TimeSpan timeout ? timeout : AccessTokenIssuerKeys.DefaultRequestTimeout,
            ClockSkew = ClockSkew,
        };

        var result = Await(new AccessTokenValidator(ModuleServices.Clock).ValidateAsync(token, options, CancellationToken));
        foreach (var check in result.Checks.Where(c => c.Outcome != AccessTokenCheckOutcome.Skipped || c.Check == AccessTokenCheck.Signature))
        {
            WriteVerbose($"{check.Check}: {check.Outcome}. {check.Detail}");
        }

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
