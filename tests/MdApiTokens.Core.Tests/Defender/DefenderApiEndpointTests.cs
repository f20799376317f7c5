using MdApiTokens.Core.Defender;
using MdApiTokens.Core.PartnerAccess;
using MdApiTokens.Core.Shared;

namespace MdApiTokens.Core.Tests.Defender;

public class DefenderApiEndpointTests
{
    [Theory]
    [InlineData(AzureCloud.Public, "https://api.security.microsoft.com/")]
    [InlineData(AzureCloud.USGov, "https://api-gcc.security.microsoft.us/")]
    [InlineData(AzureCloud.USGovHigh, "https://api-gov.security.microsoft.us/")]
    [InlineData(AzureCloud.USGovDoD, "https://api-gov.security.microsoft.us/")]
    public void Each_cloud_has_its_host(AzureCloud cloud, string expected) =>
        Assert.Equal(new Uri(expected), DefenderApiEndpoint.Resolve(null, null, cloud));

    [Theory]
    [InlineData(DefenderApiRegion.US, "https://us.api.security.microsoft.com/")]
    [InlineData(DefenderApiRegion.EU, "https://eu.api.security.microsoft.com/")]
    [InlineData(DefenderApiRegion.UK, "https://uk.api.security.microsoft.com/")]
    [InlineData(DefenderApiRegion.AU, "https://au.api.security.microsoft.com/")]
    [InlineData(DefenderApiRegion.SWA, "https://swa.api.security.microsoft.com/")]
    [InlineData(DefenderApiRegion.INA, "https://ina.api.security.microsoft.com/")]
    public void Each_region_has_its_host(DefenderApiRegion region, string expected) =>
        Assert.Equal(new Uri(expected), DefenderApiEndpoint.Resolve(null, region, AzureCloud.Public));

    [Fact]
    public void The_default_is_the_worldwide_host() =>
        Assert.Equal(new Uri("https://api.security.microsoft.com/"), DefenderApiEndpoint.Resolve(null, null, null));

    [Fact]
    public void An_explicit_address_wins_over_region_and_cloud() =>
        Assert.Equal(new Uri("http://127.0.0.1:5000/defender/"), DefenderApiEndpoint.Resolve(new Uri("http://127.0.0.1:5000/defender"), DefenderApiRegion.EU, AzureCloud.USGovHigh));

    [Fact]
    public void A_region_in_a_government_cloud_is_refused()
    {
        var e = Assert.Throws<MdApiTokensException>(() => DefenderApiEndpoint.Resolve(null, DefenderApiRegion.EU, AzureCloud.USGov));
        Assert.Equal(DefenderErrors.ApiUriInvalid, e.ErrorId);
    }

    [Theory]
    [InlineData("http://api.security.microsoft.com")]
    [InlineData("http://10.0.0.5:8080")]
    [InlineData("http://localhost.evil.example")]
    public void Plain_http_to_anything_but_loopback_is_a_security_error(string uri)
    {
        var e = Assert.Throws<MdApiTokensException>(() => DefenderApiEndpoint.Resolve(new Uri(uri), null, null));
        Assert.Equal(DefenderErrors.InsecureApiUri, e.ErrorId);
        Assert.Equal(ErrorKind.SecurityError, e.Kind);
    }

    [Theory]
    [InlineData("http://127.0.0.1:5000")]
    [InlineData("http://127.8.9.10")]
    [InlineData("http://[::1]:5000")]
    [InlineData("http://localhost:5000")]
    public void Plain_http_to_loopback_is_allowed(string uri) =>
        Assert.Equal(uri.TrimEnd('/') + "/", DefenderApiEndpoint.Resolve(new Uri(uri), null, null).ToString());

    [Theory]
    [InlineData("ftp://api.security.microsoft.com")]
    [InlineData("https://user:pw@api.security.microsoft.com")]
    [InlineData("https://api.security.microsoft.com/?x=1")]
    public void Addresses_that_are_not_a_plain_https_base_are_refused(string uri)
    {
        var e = Assert.Throws<MdApiTokensException>(() => DefenderApiEndpoint.Resolve(new Uri(uri), null, null));
        Assert.Equal(DefenderErrors.ApiUriInvalid, e.ErrorId);
    }

    [Theory]
    [InlineData("https://alice:s3cret-pw@api.security.microsoft.com/")]
    [InlineData("ftp://alice:s3cret-pw@api.security.microsoft.com/")]
    [InlineData("http://alice:s3cret-pw@example.com/")]
    public void An_api_address_with_a_password_is_refused_without_echoing_the_password(string uri)
    {
        var e = Assert.Throws<MdApiTokensException>(() => DefenderApiEndpoint.Resolve(new Uri(uri), null, null));
        Assert.DoesNotContain("s3cret-pw", e.Message);
        Assert.DoesNotContain("s3cret-pw", e.Target?.ToString() ?? "");
        Assert.DoesNotContain("s3cret-pw", e.RecommendedAction ?? "");
    }
}
