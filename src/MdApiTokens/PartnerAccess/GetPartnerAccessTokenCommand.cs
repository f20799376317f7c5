using System;
using System.IO;
using System.Management.Automation;
using System.Security;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using MdApiTokens.Core;
using MdApiTokens.Core.PartnerAccess;
using MdApiTokens.Core.Shared;

namespace MdApiTokens.Commands.PartnerAccess;

/// <summary>Gets an app-only access token for the partner application in each customer tenant given, through MSAL.</summary>
[Cmdlet(VerbsCommon.Get, "PartnerAccessToken", DefaultParameterSetName = SecretSet)]
[OutputType(typeof(PartnerAccessToken), typeof(SecurePartnerAccessToken))]
public sealed partial class GetPartnerAccessTokenCommand : MdApiTokensCmdlet
{
    private const string SecretSet = "ClientSecret";
    private const string CredentialSet = "Credential";
    private const string CertificateSet = "Certificate";
    private const string ThumbprintSet = "CertificateThumbprint";
    private const string PathSet = "CertificatePath";

    private PartnerApplication? _application;
    private string[]? _scopes;
    private string? _outFile;
    private int _tokensWritten;

    /// <summary>The customer tenant: its id or a verified domain. Binds from the pipeline, one token per tenant.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true, ParameterSetName = SecretSet)]
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true, ParameterSetName = CredentialSet)]
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true, ParameterSetName = CertificateSet)]
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true, ParameterSetName = ThumbprintSet)]
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true, ParameterSetName = PathSet)]
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true, ParameterSetName = IdentityPartnerSet)]
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true, ParameterSetName = AssertionSet)]
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true, ParameterSetName = TokenFileSet)]
    [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true, ParameterSetName = WorkloadSet)]
    [AllowEmptyString]
    [Alias("Tenant")]
    public string TenantId { get; set; } = "";

    /// <summary>The partner application's id. With -Credential it is the credential's user name.</summary>
    [Parameter(Mandatory = true, Position = 1, ParameterSetName = SecretSet)]
    [Parameter(ParameterSetName = CredentialSet)]
    [Parameter(Mandatory = true, Position = 1, ParameterSetName = CertificateSet)]
    [Parameter(Mandatory = true, Position = 1, ParameterSetName = ThumbprintSet)]
    [Parameter(Mandatory = true, Position = 1, ParameterSetName = PathSet)]
    [Parameter(Mandatory = true, Position = 1, ParameterSetName = IdentityPartnerSet)]
    [Parameter(Mandatory = true, Position = 1, ParameterSetName = AssertionSet)]
    [Parameter(Mandatory = true, Position = 1, ParameterSetName = TokenFileSet)]
    [Parameter(Position = 1, ParameterSetName = WorkloadSet)]
    [Alias("ApplicationId", "AppId")]
    public string? ClientId { get; set; }

    /// <summary>The application's client secret.</summary>
    [Parameter(Mandatory = true, ParameterSetName = SecretSet)]
    public SecureString? ClientSecret { get; set; }

    /// <summary>The application id (user name) and client secret (password), as runbooks store them.</summary>
    [Parameter(Mandatory = true, ParameterSetName = CredentialSet)]
    [Credential]
    public PSCredential? Credential { get; set; }

    /// <summary>A certificate with its private key, registered on the application.</summary>
    [Parameter(Mandatory = true, ParameterSetName = CertificateSet)]
    public X509Certificate2? Certificate { get; set; }

    /// <summary>The thumbprint of a certificate in Cert:\CurrentUser\My (or LocalMachine\My).</summary>
    [Parameter(Mandatory = true, ParameterSetName = ThumbprintSet)]
    [ArgumentCompleter(typeof(CertificateThumbprintCompleter))]
    [ValidateNotNullOrEmpty]
    public string? CertificateThumbprint { get; set; }

    /// <summary>A PFX file with the certificate and its private key.</summary>
    [Parameter(Mandatory = true, ParameterSetName = PathSet)]
    [ValidateNotNullOrEmpty]
    public string? CertificatePath { get; set; }

    /// <summary>The PFX file's password.</summary>
    [Parameter(ParameterSetName = PathSet)]
    public SecureString? CertificatePassword { get; set; }

    /// <summary>The scopes; by default the Defender API of -Cloud (its /.default scope).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[]? Scope { get; set; }

    /// <summary>The API the token is for, by name (Defender by default; Endpoint for the Defender for Endpoint API; Graph); instead of -Scope.</summary>
    [Parameter]
    public PartnerResource Resource { get; set; }

    /// <summary>The cloud: its sign-in host and Defender API.</summary>
    [Parameter]
    public AzureCloud Cloud { get; set; } = AzureCloud.Public;

    /// <summary>Another https sign-in host, e.g. a test fake.</summary>
    [Parameter]
    [ValidateNotNull]
    public Uri? AuthorityHost { get; set; }

    /// <summary>Also write the raw token to this file, readable only by you.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? OutFile { get; set; }

    /// <summary>Return the token as a SecureString (a SecurePartnerAccessToken), taken by every cmdlet that takes a token.</summary>
    [Parameter]
    public SwitchParameter AsSecureString { get; set; }

    /// <summary>Ask the identity platform even when a cached token is still valid.</summary>
    [Parameter]
    public SwitchParameter ForceRefresh { get; set; }

    protected override void BeginProcessingCore()
    {
        _scopes = PartnerResources.Resolve(Scope, IsBound(nameof(Resource)) ? Resource : null, Cloud);
        var clientId = ParameterSetName == CredentialSet ? PartnerApplication.ClientIdFromCredential(Credential!.UserName, ClientId) : SecretlessClientId() ?? ClientId;
        if (OutFile is not null)
        {
            _outFile = PowerShellPaths.ToFileSystemPath(SessionState.Path, OutFile, PartnerAccessErrors.OutFileInvalid, "output file");
        }

        var credential = ParameterSetName switch
        {
            SecretSet => PartnerCredential.FromSecret(ClientSecret!),
            CredentialSet => PartnerCredential.FromSecret(Credential!.Password),
            CertificateSet => PartnerCredential.FromCertificate(Certificate!),
            ThumbprintSet => PartnerCredential.FromStore(CertificateThumbprint!),
            PathSet => PartnerCredential.FromPfxFile(PowerShellPaths.ToFileSystemPath(SessionState.Path, CertificatePath!, PartnerAccessErrors.CertificateNotFound, "certificate file"), CertificatePassword),
            _ => SecretlessCredential(),
        };
        if (credential is null)
        {
            WriteVerbose($"The {_identity!.Description}'s own token.");
            return;
        }

        try
        {
            _application = PartnerApplication.Create(clientId, credential, Cloud, AuthorityHost, _scopes);
        }
        catch
        {
            credential.Dispose();
            throw;
        }

        WriteVerbose($"Partner application {_application.ClientId} with a {credential.Description}; authority host {_application.AuthorityHost}; scopes {string.Join(" ", _application.Scopes)}.");
    }

    protected override void ProcessRecordCore()
    {
        if (_application is null)
        {
            WriteToken(Await(_identity!.AcquireTokenAsync(_scopes, Cloud, ForceRefresh, PartnerAccessServices.TokenTimeout, CancellationToken)));
            return;
        }

        var request = new PartnerTokenRequest(string.IsNullOrEmpty(TenantId) ? _workloadTenant ?? TenantId : TenantId, _application)
        {
            ForceRefresh = ForceRefresh,
            Timeout = PartnerAccessServices.TokenTimeout,
        };

        // A failure for one tenant (ErrorScope.Item) does not stop the others.
        WriteToken(Await(PartnerTokenClient.Shared.AcquireTokenAsync(request, CancellationToken)));
    }

    protected override void EndProcessingCore()
    {
        _application?.Credential.Dispose();
        _application = null;
    }

    private void WriteToken(PartnerTokenResult result)
    {
        var token = result.Token;
        WriteVerbose(result.FromCache
            ? $"Tenant {token.TenantId}: token from the in-process cache (expires {token.ExpiresOn:u})."
            : $"Tenant {token.TenantId}: new token from {token.Authority?.AbsoluteUri ?? "the managed identity endpoint"} (expires {token.ExpiresOn:u}).");

        if (_outFile is not null)
        {
            WriteOutFile(token);
        }

        WriteObject(AsSecureString ? SecurePartnerAccessToken.From(token) : token);
    }

    private void WriteOutFile(PartnerAccessToken token)
    {
        if (_tokensWritten++ == 1)
        {
            WriteWarning($"-OutFile holds one token: '{_outFile}' is overwritten for each tenant and ends with the last one's.");
        }

        try
        {
            RestrictedFile.WriteAllBytes(_outFile!, new UTF8Encoding(false).GetBytes(token.AccessToken));
            WriteVerbose($"Token for tenant {token.TenantId} written to '{_outFile}' (readable only by you).");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            WriteError(new MdApiTokensException(PartnerAccessErrors.OutFileWriteFailed, ErrorKind.WriteError,
                $"The token for tenant {token.TenantId} could not be written to '{_outFile}': {e.Message}", _outFile,
                "Check that the folder exists and that your account can write to it."));
        }
    }
}
