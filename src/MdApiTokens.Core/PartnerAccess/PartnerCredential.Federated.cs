using System;
using System.Security;
using MdApiTokens.Core.Shared;

namespace MdApiTokens.Core.PartnerAccess;

/// <summary>The secretless credentials: a federated client assertion, a token file, or a managed identity as the federated credential.</summary>
public abstract partial class PartnerCredential
{
    /// <summary>A signed assertion (JWT) from a workload identity provider that a federated credential of the application trusts.</summary>
    public static PartnerCredential FromClientAssertion(string assertion) => AssertionCredential.ForText(assertion);

    /// <summary>A signed assertion kept in a SecureString.</summary>
    public static PartnerCredential FromClientAssertion(SecureString assertion) =>
        AssertionCredential.ForText(SecretText.Unwrap(assertion ?? throw new ArgumentNullException(nameof(assertion))));

    /// <summary>An assertion as a shell gives it: a string or a SecureString; anything else is refused without showing it.</summary>
    public static PartnerCredential FromClientAssertionValue(object? value) => value switch
    {
        string text => FromClientAssertion(text),
        SecureString secure => FromClientAssertion(secure),
        _ => throw PartnerIdentityErrors.AssertionInvalid($"it is {(value is null ? "null" : "a " + value.GetType().Name)}; give a string or a SecureString"),
    };

    /// <summary>A file the workload identity provider keeps a fresh assertion in (AZURE_FEDERATED_TOKEN_FILE); re-read for every new token.</summary>
    public static PartnerCredential FromFederatedTokenFile(string path) => AssertionCredential.ForFile(path);

    /// <summary>
    /// A managed identity set as a federated credential of the (multi-tenant) application: its token for the cloud's token
    /// exchange audience is the client assertion, so the application gets tokens in customer tenants without a secret.
    /// </summary>
    public static PartnerCredential FromManagedIdentity(PartnerManagedIdentity identity, AzureCloud cloud) =>
        AssertionCredential.ForManagedIdentity(identity ?? throw new ArgumentNullException(nameof(identity)), cloud);
}
