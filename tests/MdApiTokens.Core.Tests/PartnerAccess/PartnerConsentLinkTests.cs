using MdApiTokens.Core;
using MdApiTokens.Core.PartnerAccess;
using MdApiTokens.Core.Shared;

namespace MdApiTokens.Core.Tests.PartnerAccess;

public class PartnerConsentLinkTests
{
    private const string App = "00000000-0000-0000-0000-0000000000AB";

    [Fact]
    public void Without_a_tenant_it_is_the_seeds_link_with_the_application_id()
    {
        var link = PartnerConsentLink.Create(App);

        Assert.Equal("https://login.microsoftonline.com/common/oauth2/authorize?prompt=consent&client_id=00000000-0000-0000-0000-0000000000ab&response_type=code&sso_reload=true", link.ToString());
        Assert.Equal("common", link.TenantId);
        Assert.Equal(link.Uri.AbsoluteUri, link.ToString());
    }

    [Theory]
    [InlineData(AzureCloud.Public, "login.microsoftonline.com")]
    [InlineData(AzureCloud.USGov, "login.microsoftonline.com")]
    [InlineData(AzureCloud.USGovHigh, "login.microsoftonline.us")]
    [InlineData(AzureCloud.USGovDoD, "login.microsoftonline.us")]
    public void Each_cloud_signs_in_at_its_own_host(AzureCloud cloud, string host)
    {
        var link = PartnerConsentLink.Create(App, "contoso.onmicrosoft.com", cloud);

        Assert.Equal(host, link.Uri.Host);
        Assert.StartsWith($"https://{host}/contoso.onmicrosoft.com/oauth2/authorize?prompt=consent&client_id=", link.ToString());
        Assert.Equal(cloud, link.Cloud);
    }

    [Fact]
    public void An_authority_host_replaces_the_clouds_host()
    {
        var link = PartnerConsentLink.Create(App, null, AzureCloud.Public, new Uri("https://127.0.0.1:4443"));
        Assert.StartsWith("https://127.0.0.1:4443/common/oauth2/authorize?", link.ToString());
    }

    [Fact]
    public void The_application_id_must_be_a_guid_and_is_never_echoed()
    {
        var error = Assert.Throws<MdApiTokensException>(() => PartnerConsentLink.Create("my-client-secret-value"));

        Assert.Equal(PartnerAccessErrors.ClientIdInvalid, error.ErrorId);
        Assert.DoesNotContain("my-client-secret-value", error.Message);
        Assert.Null(error.Target);
    }
}
