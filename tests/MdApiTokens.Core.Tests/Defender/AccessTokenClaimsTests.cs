using MdApiTokens.Core.AccessTokens;
using MdApiTokens.Tests.Shared;

namespace MdApiTokens.Core.Tests.Defender;

/// <summary>The incidents client labels output and explains 401/403 answers from the token's claims, decoded (never validated) by the one JWT decoder.</summary>
public class AccessTokenClaimsTests
{
    [Fact]
    public void Tenant_expiry_audience_and_roles_are_read_from_the_payload()
    {
        var claims = AccessTokenValidator.TryDecode(TestJwt.Create("tenant-a", new DateTimeOffset(2026, 3, 1, 0, 0, 0, TimeSpan.Zero), "https://api.security.microsoft.com", "Incident.Read.All", "AdvancedHunting.Read.All"))!;

        Assert.Equal("tenant-a", claims.TenantId);
        Assert.Equal(new DateTimeOffset(2026, 3, 1, 0, 0, 0, TimeSpan.Zero), claims.ExpiresOn);
        Assert.Equal(new[] { "https://api.security.microsoft.com" }, claims.Audience);
        Assert.Equal(new[] { "Incident.Read.All", "AdvancedHunting.Read.All" }, claims.Roles);
        Assert.Equal("roles Incident.Read.All, AdvancedHunting.Read.All", claims.DescribePermissions());
    }

    [Theory]
    [InlineData("opaque-token")]
    [InlineData("a.b")]
    [InlineData("a.!!!.c")]
    [InlineData("eyJ0eXAiOiJKV1QifQ.WzEsMl0.c2ln")]
    [InlineData("")]
    public void Something_that_is_not_a_readable_jwt_has_no_claims(string token) => Assert.Null(AccessTokenValidator.TryDecode(token));
}
