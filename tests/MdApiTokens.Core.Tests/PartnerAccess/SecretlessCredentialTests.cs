using MdApiTokens.Core;
using MdApiTokens.Core.PartnerAccess;
using MdApiTokens.Core.Shared;

namespace MdApiTokens.Core.Tests.PartnerAccess;

public class SecretlessCredentialTests
{
    private const string App = "3F1D2C4B-5A69-4870-9ABC-DEF012345678";

    private static Func<string, string?> Environment(params (string Name, string Value)[] values) =>
        name => values.Where(v => v.Name == name).Select(v => v.Value).FirstOrDefault();

    [Fact]
    public void Workload_identity_takes_the_client_tenant_and_file_from_its_variables()
    {
        var resolved = WorkloadIdentityEnvironment.Resolve(null, null,
            Environment(("AZURE_CLIENT_ID", App), ("AZURE_TENANT_ID", "contoso.onmicrosoft.com"), ("AZURE_FEDERATED_TOKEN_FILE", "/var/run/token")));

        Assert.Equal(new WorkloadIdentityEnvironment(App.ToLowerInvariant(), "contoso.onmicrosoft.com", "/var/run/token"), resolved);
    }

    [Fact]
    public void Given_client_and_tenant_win_over_the_variables()
    {
        var other = Guid.NewGuid().ToString();

        var resolved = WorkloadIdentityEnvironment.Resolve(other, "fabrikam.com",
            Environment(("AZURE_CLIENT_ID", App), ("AZURE_TENANT_ID", "contoso.com"), ("AZURE_FEDERATED_TOKEN_FILE", "/t")));

        Assert.Equal(other, resolved.ClientId);
        Assert.Equal("fabrikam.com", resolved.TenantId);
    }

    [Theory]
    [InlineData("", "AZURE_FEDERATED_TOKEN_FILE")]
    [InlineData("   ", "AZURE_CLIENT_ID")]
    public void Missing_or_blank_variables_are_named(string blank, string expected)
    {
        var error = Assert.Throws<MdApiTokensException>(() => WorkloadIdentityEnvironment.Resolve(null, null,
            Environment(("AZURE_CLIENT_ID", blank), ("AZURE_FEDERATED_TOKEN_FILE", blank))));

        Assert.Equal(PartnerIdentityErrors.WorkloadIdentityNotConfigured, error.ErrorId);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(AzureCloud.Public, "api://AzureADTokenExchange")]
    [InlineData(AzureCloud.USGov, "api://AzureADTokenExchange")]
    [InlineData(AzureCloud.USGovHigh, "api://AzureADTokenExchangeUSGov")]
    [InlineData(AzureCloud.USGovDoD, "api://AzureADTokenExchangeUSGov")]
    public void Each_cloud_names_its_token_exchange_audience(AzureCloud cloud, string audience) =>
        Assert.Equal(audience, CloudTable.For(cloud).TokenExchangeAudience);

    [Fact]
    public void A_huge_token_file_is_refused_without_reading_it_as_a_token()
    {
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, new string('a', BearerToken.MaxLength + 1));

            var error = Assert.Throws<MdApiTokensException>(() => PartnerCredential.FromFederatedTokenFile(path));

            Assert.Equal(PartnerIdentityErrors.TokenFileInvalid, error.ErrorId);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void A_user_assigned_identity_needs_a_client_id_guid()
    {
        var error = Assert.Throws<MdApiTokensException>(() => PartnerManagedIdentity.UserAssigned("my-identity"));

        Assert.Contains("-IdentityClientId", error.Message, StringComparison.Ordinal);
        Assert.Equal("user-assigned managed identity 3f1d2c4b-5a69-4870-9abc-def012345678", PartnerManagedIdentity.UserAssigned(App).Description);
    }
}
