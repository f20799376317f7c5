using System.Collections;
using System.Management.Automation;
using MdApiTokens.Tests.Shared;

namespace MdApiTokens.Module.Tests.PartnerAccess;

/// <summary>What real tenants answer, as a runbook over many customers sees it: one error per tenant, the others go on.</summary>
public class PartnerAccessRealTenantErrorTests : PartnerAccessTestBase
{
    [Fact]
    public void A_tenants_Conditional_Access_block_is_its_own_error_and_the_other_tenants_get_tokens()
    {
        var blocked = Guid.NewGuid().ToString();
        Fake.Intercept = record => record.Tenant == blocked
            ? FakeReply.Aadsts(400, "invalid_grant", 53003, "Access has been blocked by Conditional Access policies. The access policy does not allow token issuance.")
            : null;

        var result = Script("$tenants | Get-PartnerAccessToken -ClientId $app -ClientSecret $secret -AuthorityHost $authority", new Hashtable { ["tenants"] = new[] { blocked, TenantId } });

        var error = result.SingleError("PartnerConditionalAccessBlocked", ErrorCategory.PermissionDenied);
        Assert.Contains("Conditional Access for workload identities", error.Exception.Message);
        Assert.Equal(blocked, error.TargetObject);
        Assert.Single(result.Output);
    }

    [Fact]
    public void A_tenant_without_the_apps_service_principal_gets_the_consent_link()
    {
        Fake.Intercept = _ => FakeReply.Aadsts(400, "invalid_client", 7000229, "The client application is missing service principal in the tenant.");

        var error = GetToken().SingleError("PartnerConsentMissing", ErrorCategory.PermissionDenied);

        Assert.Contains("/oauth2/authorize?prompt=consent", error.Exception.Message);
    }

    [Fact]
    public void A_404_from_the_sign_in_host_names_AuthorityHost()
    {
        Fake.Intercept = _ => FakeReply.Raw(404, "");

        var error = GetToken().SingleError("PartnerTokenResponseInvalid", ErrorCategory.ProtocolError);

        Assert.Contains("-AuthorityHost", error.Exception.Message);
    }
}
