using System.Management.Automation;
using MdApiTokens.Core.PartnerAccess;

namespace MdApiTokens.Commands.PartnerAccess;

/// <summary>The secretless parameter sets: a managed identity, a federated client assertion, a token file, workload identity.</summary>
public sealed partial class GetPartnerAccessTokenCommand
{
    private const string IdentitySet = "ManagedIdentity";
    private const string IdentityPartnerSet = "ManagedIdentityFederated";
    private const string AssertionSet = "ClientAssertion";
    private const string TokenFileSet = "FederatedTokenFile";
    private const string WorkloadSet = "WorkloadIdentity";

    private PartnerManagedIdentity? _identity;
    private string? _workloadTenant;
    private string? _workloadTokenFile;

    /// <summary>Use the managed identity of the Azure resource this runs on: its own token, or with -ClientId and -TenantId the application's token through it.</summary>
    [Parameter(Mandatory = true, ParameterSetName = IdentitySet)]
    [Parameter(Mandatory = true, ParameterSetName = IdentityPartnerSet)]
    public SwitchParameter Identity { get; set; }

    /// <summary>The client id of a user-assigned managed identity; without it, the system-assigned one.</summary>
    [Parameter(ParameterSetName = IdentitySet)]
    [Parameter(ParameterSetName = IdentityPartnerSet)]
    [ValidateNotNullOrEmpty]
    public string? IdentityClientId { get; set; }

    /// <summary>A signed assertion (JWT) from an identity provider the application's federated credential trusts: a string or a SecureString.</summary>
    [Parameter(Mandatory = true, ParameterSetName = AssertionSet)]
    [ValidateNotNull]
    public object? ClientAssertion { get; set; }

    /// <summary>A file holding the assertion, re-read for every new token (the provider rotates it).</summary>
    [Parameter(Mandatory = true, ParameterSetName = TokenFileSet)]
    [ValidateNotNullOrEmpty]
    public string? FederatedTokenFile { get; set; }

    /// <summary>Use AZURE_FEDERATED_TOKEN_FILE, AZURE_CLIENT_ID and AZURE_TENANT_ID as Azure workload identity sets them.</summary>
    [Parameter(Mandatory = true, ParameterSetName = WorkloadSet)]
    public SwitchParameter WorkloadIdentity { get; set; }

    /// <summary>The application id of the secretless sets, or null for the others: "" for a managed identity's own token.</summary>
    private string? SecretlessClientId()
    {
        switch (ParameterSetName)
        {
            case IdentitySet:
                return "";
            case WorkloadSet:
                var environment = WorkloadIdentityEnvironment.Resolve(ClientId, null);
                _workloadTenant = environment.TenantId;
                _workloadTokenFile = environment.TokenFile;
                return environment.ClientId;
            default:
                return null;
        }
    }

    /// <summary>The credential of the secretless sets; null for a managed identity's own token.</summary>
    private PartnerCredential? SecretlessCredential()
    {
        if (ParameterSetName is IdentitySet or IdentityPartnerSet)
        {
            _identity = IdentityClientId is null ? PartnerManagedIdentity.SystemAssigned : PartnerManagedIdentity.UserAssigned(IdentityClientId);
        }

        return ParameterSetName switch
        {
            IdentitySet => null,
            IdentityPartnerSet => PartnerCredential.FromManagedIdentity(_identity!, Cloud),
            AssertionSet => PartnerCredential.FromClientAssertionValue(ClientAssertion is PSObject wrapped ? wrapped.BaseObject : ClientAssertion),
            TokenFileSet => PartnerCredential.FromFederatedTokenFile(TokenFilePath(FederatedTokenFile!)),
            WorkloadSet => PartnerCredential.FromFederatedTokenFile(_workloadTokenFile!),
            _ => throw new PSInvalidOperationException("Unknown parameter set " + ParameterSetName),
        };
    }

    private string TokenFilePath(string path) =>
        PowerShellPaths.ToFileSystemPath(SessionState.Path, path, PartnerIdentityErrors.TokenFileNotFound, "federated token file");
}
