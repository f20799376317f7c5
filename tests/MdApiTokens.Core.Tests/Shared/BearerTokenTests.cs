using MdApiTokens.Core.Shared;
using MdApiTokens.Tests.Shared;

namespace MdApiTokens.Core.Tests.Shared;

/// <summary>The incidents client labels output and explains 401/403 answers from the token's claims, decoded (never validated) by the one JWT decoder.</summary>
public class BearerTokenTests
{
    [Fact]
    public void Tenant_expiry_audience_and_roles_are_read_from_the_payload()
    {
        var claims = BearerToken.TryDecode(TestJwt.Create("tenant-a", new DateTimeOffset(2026, 3, 1, 0, 0, 0, TimeSpan.Zero), "https://api.security.microsoft.com", "Incident.Read.All", "AdvancedHunting.Read.All"))!;

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
    public void Something_that_is_not_a_readable_jwt_has_no_claims(string token) => Assert.Null(BearerToken.TryDecode(token));

    [Theory]
    [InlineData("Bearer abc.def.ghi", "abc.def.ghi")]
    [InlineData("  bearer   abc.def.ghi \r\n", "abc.def.ghi")]
    [InlineData("abc.def.ghi\n", "abc.def.ghi")]
    [InlineData(null, "")]
    [InlineData("Bearer ", "Bearer")]
    public void Normalize_strips_the_scheme_and_surrounding_white_space(string? input, string expected) => Assert.Equal(expected, BearerToken.Normalize(input));

    [Theory]
    [InlineData("{\"aud\":null}", "aud")]
    [InlineData("{\"aud\":[null]}", "aud")]
    [InlineData("{\"aud\":[\"a\",1]}", "aud")]
    [InlineData("{\"exp\":\"soon\"}", "exp")]
    [InlineData("{\"exp\":1e400}", "exp")]
    [InlineData("{\"nbf\":{}}", "nbf")]
    [InlineData("{\"roles\":{\"a\":1}}", "roles")]
    [InlineData("{\"tid\":42}", "tid")]
    [InlineData("{\"tid\":\"a\",\"tid\":\"b\"}", "tid")]
    public void Wrong_typed_or_repeated_claims_are_marked_malformed_without_throwing(string payload, string claim)
    {
        var claims = BearerToken.TryDecode(TestJwt.Encode("{\"alg\":\"RS256\"}") + "." + TestJwt.Encode(payload) + ".c2ln")!;

        Assert.Contains(claim, claims.Malformed);
    }

    [Fact]
    public void Invalid_UTF8_inside_a_claim_string_is_not_a_readable_jwt()
    {
        var payload = new byte[] { (byte)'{', (byte)'"', (byte)'t', (byte)'i', (byte)'d', (byte)'"', (byte)':', (byte)'"', 0xC3, 0x28, (byte)'"', (byte)'}' };

        Assert.Null(BearerToken.TryDecode(TestJwt.Encode("{\"alg\":\"RS256\"}") + "." + TestJwt.Encode(payload) + ".c2ln"));
    }
}
