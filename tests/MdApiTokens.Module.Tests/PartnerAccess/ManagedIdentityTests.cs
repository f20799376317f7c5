using System.Management.Automation;
using MdApiTokens.Module.Tests.Infrastructure;
using MdApiTokens.Tests.Shared;

namespace MdApiTokens.Module.Tests.PartnerAccess;

/// <summary>
/// Tests that set IDENTITY_* or AZURE_* variables: they are process-wide, so these run alone. MSAL keeps managed
/// identity tokens in one cache per process (by identity and resource), so each test that needs its own fake's token
/// uses a user-assigned identity of its own, or -ForceRefresh.
/// </summary>
[CollectionDefinition(nameof(ManagedIdentityEnvironmentCollection), DisableParallelization = true)]
public sealed class ManagedIdentityEnvironmentCollection
{
}

[Collection(nameof(ManagedIdentityEnvironmentCollection))]
public sealed class ManagedIdentityTests : PartnerAccessTestBase
{
    private readonly ManagedIdentityEndpointFake _identity = new();
    private readonly IDisposable _environment;

    public ManagedIdentityTests() => _environment = _identity.UseInEnvironment();

    private RunResult Identity(params (string Name, object? Value)[] parameters) =>
        GetToken(new (string, object?)[] { ("ClientId", null), ("ClientSecret", null), ("TenantId", null), ("AuthorityHost", null), ("Identity", true) }.Concat(parameters).ToArray());

    /// <summary>The multi-tenant application trusts the managed identity (issuer and object id) as a federated credential.</summary>
    private void TrustIdentityAsFederatedCredential(string objectId)
    {
        var application = Fake.Register(ClientId);
        application.FederatedCredentials.Add(new FakeFederatedCredential(_identity.Issuer, objectId));
        Fake.TrustedIssuers[_identity.Issuer] = _identity.SigningKey;
    }

    [Fact]
    public void Identity_gets_the_system_assigned_identitys_token_from_the_endpoint_the_environment_names()
    {
        var result = Identity(("Verbose", true)).Succeeded();

        var token = Assert.Single(result.Output);
        var request = Assert.Single(_identity.Requests);
        Assert.Equal(request.IssuedToken, token.Properties["AccessToken"].Value);
        Assert.Equal("https://api.security.microsoft.com", request.Resource);
        Assert.Equal("2019-08-01", request.ApiVersion);
        Assert.Equal(_identity.Header, request.Header);
        Assert.Null(request.ClientId);
        Assert.Equal(_identity.TenantId, token.Properties["TenantId"].Value);
        Assert.Equal(_identity.SystemAssigned.ClientId, token.Properties["ClientId"].Value);
        Assert.Empty(Fake.TokenRequests);
        AssertNoSecret(Everything(result), _identity.Header);
    }

    [Fact]
    public void A_second_request_for_the_identitys_token_is_answered_from_the_cache()
    {
        var userAssigned = Guid.NewGuid().ToString();
        _identity.UserAssigned[userAssigned] = Guid.NewGuid().ToString();

        var first = Identity(("IdentityClientId", userAssigned)).Succeeded();
        var second = Identity(("IdentityClientId", userAssigned), ("Verbose", true)).Succeeded();

        Assert.Single(_identity.Requests);
        Assert.Equal(first.Output[0].Properties["AccessToken"].Value, second.Output[0].Properties["AccessToken"].Value);
        Assert.Contains(second.Verbose, v => v.Contains("in-process cache", StringComparison.Ordinal));
    }

    [Fact]
    public void IdentityClientId_asks_the_endpoint_for_that_user_assigned_identity()
    {
        var userAssigned = Guid.NewGuid().ToString();
        _identity.UserAssigned[userAssigned] = Guid.NewGuid().ToString();

        var token = Assert.Single(Identity(("IdentityClientId", userAssigned.ToUpperInvariant())).Succeeded().Output);

        Assert.Equal(userAssigned, Assert.Single(_identity.Requests).ClientId);
        Assert.Equal(userAssigned, token.Properties["ClientId"].Value);
    }

    [Fact]
    public void A_user_assigned_identity_the_resource_does_not_have_is_reported_with_advice()
    {
        var result = Identity(("IdentityClientId", Guid.NewGuid().ToString()));

        var error = result.SingleError("PartnerManagedIdentityRequestFailed", ErrorCategory.AuthenticationError);
        Assert.Contains("No User Assigned", error.Exception.Message, StringComparison.Ordinal);
        Assert.Contains("Assign the user-assigned identity", error.ErrorDetails!.RecommendedAction, StringComparison.Ordinal);
        AssertNoSecret(Everything(result), _identity.Header);
    }

    [Fact]
    public void Without_a_managed_identity_endpoint_the_error_says_where_one_exists()
    {
        using var closed = new TemporaryEnvironment(("IDENTITY_ENDPOINT", "http://127.0.0.1:9/msi/token"));

        var result = Identity(("ForceRefresh", true));

        var error = result.SingleError("PartnerManagedIdentityUnavailable", ErrorCategory.ConnectionError);
        Assert.Contains("Azure Automation", error.ErrorDetails!.RecommendedAction, StringComparison.Ordinal);
    }

    [Fact]
    public void Identity_with_ClientId_and_TenantId_presents_the_identitys_token_as_the_applications_client_assertion()
    {
        TrustIdentityAsFederatedCredential(_identity.SystemAssigned.ObjectId);
        var second = Guid.NewGuid().ToString();

        var result = Script("$tenant, $second | Get-PartnerAccessToken -Identity -ClientId $app -AuthorityHost $authority",
            new System.Collections.Hashtable { ["second"] = second }).Succeeded();

        Assert.Equal(new[] { TenantId, second }, result.Output.Select(o => o.Properties["TenantId"].Value));
        var exchange = Assert.Single(_identity.Requests);
        Assert.Equal("api://AzureADTokenExchange", exchange.Resource);
        Assert.All(Fake.TokenRequests, sent =>
        {
            Assert.Equal("federated", sent.CredentialKind);
            Assert.True(sent.AssertionVerified);
            Assert.Equal(exchange.IssuedToken, sent.Field("client_assertion"));
            Assert.Equal(ClientId, sent.Field("client_id"));
        });
        AssertNoSecret(Everything(result), exchange.IssuedToken!);
    }

    [Fact]
    public void A_user_assigned_identity_can_be_the_applications_federated_credential()
    {
        var userAssigned = Guid.NewGuid().ToString();
        var objectId = Guid.NewGuid().ToString();
        _identity.UserAssigned[userAssigned] = objectId;
        TrustIdentityAsFederatedCredential(objectId);

        GetToken(("ClientSecret", null), ("Identity", true), ("IdentityClientId", userAssigned)).Succeeded();

        Assert.Equal(userAssigned, Assert.Single(_identity.Requests).ClientId);
        Assert.True(Assert.Single(Fake.TokenRequests).AssertionVerified);
    }

    [Fact]
    public void A_federated_credential_for_another_subject_is_reported_with_the_subject_presented()
    {
        var userAssigned = Guid.NewGuid().ToString();
        var objectId = Guid.NewGuid().ToString();
        _identity.UserAssigned[userAssigned] = objectId;
        TrustIdentityAsFederatedCredential(Guid.NewGuid().ToString());

        var result = GetToken(("ClientSecret", null), ("Identity", true), ("IdentityClientId", userAssigned));

        var error = result.SingleError("PartnerFederatedCredentialMismatch", ErrorCategory.AuthenticationError);
        Assert.True(error.Exception.Message.Contains("AADSTS700213", StringComparison.Ordinal), error.Exception.Message);
        Assert.Contains("subject " + objectId, error.Exception.Message, StringComparison.Ordinal);
        Assert.Contains("Federated credentials", error.ErrorDetails!.RecommendedAction, StringComparison.Ordinal);
        AssertNoSecret(Everything(result), Assert.Single(_identity.Requests).IssuedToken!);
    }

    [Fact]
    public void WorkloadIdentity_reads_the_token_file_client_and_tenant_from_the_environment()
    {
        var key = System.Security.Cryptography.RSA.Create(2048);
        const string issuer = "https://oidc.prod-aks.azure.com/cluster/";
        var application = Fake.Register(ClientId);
        application.FederatedCredentials.Add(new FakeFederatedCredential(issuer, "system:serviceaccount:soc:runner"));
        Fake.TrustedIssuers[issuer] = key;
        var file = Path.Combine(Folder, "azure-identity-token");
        var assertion = FederatedAssertionTests.Assertion(key, issuer, "system:serviceaccount:soc:runner");
        File.WriteAllText(file, assertion);
        using var environment = new TemporaryEnvironment(("AZURE_FEDERATED_TOKEN_FILE", file), ("AZURE_CLIENT_ID", ClientId), ("AZURE_TENANT_ID", TenantId));

        var result = Session.Run("Get-PartnerAccessToken -WorkloadIdentity -AuthorityHost $authority", new System.Collections.Hashtable { ["authority"] = Fake.AuthorityHost }).Succeeded();

        Assert.Equal(TenantId, Assert.Single(result.Output).Properties["TenantId"].Value);
        Assert.Equal(assertion, Assert.Single(Fake.TokenRequests).Field("client_assertion"));
    }

    [Fact]
    public void WorkloadIdentity_without_its_environment_names_the_missing_variables()
    {
        using var environment = new TemporaryEnvironment(("AZURE_FEDERATED_TOKEN_FILE", null), ("AZURE_CLIENT_ID", null));

        var result = Session.Run("Get-PartnerAccessToken -WorkloadIdentity -TenantId $tenant", new System.Collections.Hashtable { ["tenant"] = TenantId });

        var error = result.SingleError("PartnerWorkloadIdentityNotConfigured", ErrorCategory.InvalidOperation);
        Assert.Contains("AZURE_FEDERATED_TOKEN_FILE", error.Exception.Message, StringComparison.Ordinal);
        Assert.Contains("AZURE_CLIENT_ID", error.Exception.Message, StringComparison.Ordinal);
    }

    public override void Dispose()
    {
        _environment.Dispose();
        _identity.Dispose();
        base.Dispose();
    }
}
