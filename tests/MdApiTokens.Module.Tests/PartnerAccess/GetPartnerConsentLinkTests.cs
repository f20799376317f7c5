using System.Collections;
using System.Management.Automation;
using MdApiTokens.Module.Tests.Infrastructure;

namespace MdApiTokens.Module.Tests.PartnerAccess;

public class GetPartnerConsentLinkTests : ModuleTestBase
{
    private const string App = "3f1d2c4b-5a69-4870-9abc-def012345678";

    private RunResult Link(params (string Name, object? Value)[] parameters)
    {
        var table = new Hashtable();
        foreach (var (name, value) in parameters)
        {
            table[name] = value;
        }

        return Session.Command("Get-PartnerConsentLink", table);
    }

    [Fact]
    public void The_link_is_the_seeds_admin_consent_link_for_the_application()
    {
        var link = Link(("ClientId", App)).Succeeded().Output.Single();

        Assert.Equal("https://login.microsoftonline.com/common/oauth2/authorize?prompt=consent&client_id=3f1d2c4b-5a69-4870-9abc-def012345678&response_type=code&sso_reload=true", link.ToString());
        Assert.Equal("common", link.Properties["TenantId"].Value);
        Assert.Equal(new Uri(link.ToString()!), link.Properties["Uri"].Value);
    }

    [Theory]
    [InlineData("Public", "https://login.microsoftonline.com/")]
    [InlineData("USGov", "https://login.microsoftonline.com/")]
    [InlineData("USGovHigh", "https://login.microsoftonline.us/")]
    [InlineData("USGovDoD", "https://login.microsoftonline.us/")]
    public void Each_cloud_has_its_sign_in_host(string cloud, string host)
    {
        var link = Link(("ClientId", App), ("TenantId", "fabrikam.onmicrosoft.com"), ("Cloud", cloud)).Succeeded().Output.Single();

        Assert.StartsWith(host + "fabrikam.onmicrosoft.com/oauth2/authorize?prompt=consent&client_id=" + App, link.ToString());
    }

    [Fact]
    public void Customer_rows_pipe_in_for_one_link_each_and_a_bad_row_does_not_stop_the_rest()
    {
        var tenants = new[] { Guid.NewGuid().ToString(), "not a tenant", Guid.NewGuid().ToString() };

        var result = Session.Run("$tenants | ForEach-Object { [pscustomobject]@{ TenantId = $_; ClientId = $app } } | Get-PartnerConsentLink", new Hashtable { ["tenants"] = tenants, ["app"] = App });

        Assert.Equal(new[] { tenants[0], tenants[2] }, result.Output.Select(o => o.Properties["TenantId"].Value));
        result.SingleError("PartnerTenantIdInvalid", ErrorCategory.InvalidArgument);
        var byValue = Session.Run("$tenants[0], $tenants[2] | Get-PartnerConsentLink -ClientId $app", new Hashtable { ["tenants"] = tenants, ["app"] = App }).Succeeded();
        Assert.Equal(2, byValue.Output.Count);
    }

    [Fact]
    public void A_bad_application_id_is_an_InvalidArgument_error()
    {
        Link(("ClientId", "my-app")).SingleError("PartnerClientIdInvalid", ErrorCategory.InvalidArgument);
        Link(("ClientId", App), ("AuthorityHost", new Uri("http://login.example"))).SingleError("PartnerAuthorityHostInvalid", ErrorCategory.InvalidArgument);
    }
}
