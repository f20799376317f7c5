using MdApiTokens.Core.Defender;
using MdApiTokens.Testing.Defender;

namespace MdApiTokens.Core.Tests.Defender;

public class AccessTokenClaimsTests
{
    [Fact]
    public void Tenant_expiry_audience_and_roles_are_read_from_the_payload()
    {
        var claims = AccessTokenClaims.TryRead(TestJwt.Create("tenant-a", new DateTimeOffset(2026, 3, 1, 0, 0, 0, TimeSpan.Zero), "https://api.security.microsoft.com", "Incident.Read.All", "AdvancedHunting.Read.All"))!;

        Assert.Equal("tenant-a", claims.TenantId);
        Assert.Equal(new DateTimeOffset(2026, 3, 1, 0, 0, 0, TimeSpan.Zero), claims.ExpiresOn);
        Assert.Equal("https://api.security.microsoft.com", claims.Audience);
        Assert.Equal(new[] { "Incident.Read.All", "AdvancedHunting.Read.All" }, claims.Roles);
    }

    [Theory]
    [InlineData("opaque-token")]
    [InlineData("a.b")]
    [InlineData("a.!!!.c")]
    [InlineData("eyJ0eXAiOiJKV1QifQ.WzEsMl0.c2ln")]
    public void Something_that_is_not_a_readable_jwt_has_no_claims(string token) => Assert.Null(AccessTokenClaims.TryRead(token));
}
