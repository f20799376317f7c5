using System.Security.Cryptography;
using System.Text;
using MdApiTokens.Core;
using MdApiTokens.Core.AccessTokens;
using MdApiTokens.Core.Shared;
using MdApiTokens.Tests.Shared;

namespace MdApiTokens.Core.Tests.AccessTokens;

public sealed class AccessTokenValidatorTests : IDisposable
{
    private static readonly DateTimeOffset s_now = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private const string Tenant = "6f2b1a3c-0d4e-4f5a-9b8c-7d6e5f4a3b2c";
    private const string App = "11111111-2222-3333-4444-555555555555";

    private readonly RSA _key = RSA.Create(2048);
    private readonly RSA _otherKey = RSA.Create(2048);
    private readonly ManualClock _clock = new(s_now);

    private AccessTokenValidator Validator => new(_clock);

    private AccessTokenSigningKeys Keys => AccessTokenSigningKeys.FromJson(TestJwt.Jwks((_key, "key-1")), "test keys");

    private string Token(Action<Dictionary<string, object?>>? change = null, RSA? key = null, string kid = "key-1")
    {
        var claims = TestJwt.AppOnlyClaims(Tenant, App, s_now.AddMinutes(-10), TimeSpan.FromHours(1), "Incident.Read.All", "AdvancedHunting.Read.All");
        change?.Invoke(claims);
        return TestJwt.Create(key ?? _key, claims, kid);
    }

    // Without keys these tests check claims only: fetching the issuer's keys is tested against a fake authority.
    private static AccessTokenValidationOptions Options(string[]? roles = null, string? tenant = Tenant, AccessTokenSigningKeys? keys = null, string? audience = AccessTokenValidationOptions.DefaultAudience) => new()
    {
        RequiredRoles = roles ?? new[] { "Incident.Read.All" },
        TenantId = tenant,
        SigningKeys = keys,
        SkipSignatureCheck = keys is null,
        Audience = audience,
    };

    [Fact]
    public void A_current_token_with_the_roles_tenant_audience_and_signature_is_valid_and_decoded()
    {
        var result = Validator.Validate(Token(), Options(keys: Keys));

        Assert.True(result.IsValid, string.Join("; ", result.Checks));
        Assert.Empty(result.FailedChecks);
        Assert.True(result.SignatureVerified);
        Assert.Equal(Tenant, result.TenantId);
        Assert.Equal(App, result.AppId);
        Assert.Equal(new[] { "Incident.Read.All", "AdvancedHunting.Read.All" }, result.Roles);
        Assert.Equal(new[] { "https://api.security.microsoft.com" }, result.Audience);
        Assert.Equal($"https://sts.windows.net/{Tenant}/", result.Issuer);
        Assert.Equal("1.0", result.Version);
        Assert.Equal(s_now.AddMinutes(50), result.ExpiresOn);
        Assert.Equal(s_now.AddMinutes(-10), result.NotBefore);
        Assert.Equal("RS256", result.Algorithm);
        Assert.Equal("key-1", result.KeyId);
        Assert.Equal(Tenant, result.Claims["tid"]);
        Assert.Equal(new object[] { "Incident.Read.All", "AdvancedHunting.Read.All" }, (object?[])result.Claims["roles"]!);
        Assert.All(result.Checks, c => Assert.Equal(AccessTokenCheckOutcome.Passed, c.Outcome));
    }

    [Fact]
    public void An_expired_token_fails_Expiry_beyond_the_clock_skew_only()
    {
        var token = Token(c => c["exp"] = s_now.AddMinutes(-4).ToUnixTimeSeconds());
        Assert.True(Validator.Validate(token, Options()).IsValid);

        _clock.UtcNow = s_now.AddMinutes(1).AddSeconds(1);
        var result = Validator.Validate(token, Options());

        Assert.False(result.IsValid);
        Assert.Equal(new[] { AccessTokenCheck.Expiry }, result.FailedChecks);
        Assert.Contains("expired at 2026-03-01 11:56:00Z", result.Checks.Single(c => c.Check == AccessTokenCheck.Expiry).Detail);
    }

    [Fact]
    public void A_token_without_exp_fails_Expiry()
    {
        var result = Validator.Validate(Token(c => c.Remove("exp")), Options());
        Assert.Equal(new[] { AccessTokenCheck.Expiry }, result.FailedChecks);
    }

    [Fact]
    public void A_token_not_yet_valid_fails_NotBefore_beyond_the_clock_skew_only()
    {
        Assert.True(Validator.Validate(Token(c => c["nbf"] = s_now.AddMinutes(4).ToUnixTimeSeconds()), Options()).IsValid);

        var result = Validator.Validate(Token(c => c["nbf"] = s_now.AddMinutes(6).ToUnixTimeSeconds()), Options());

        Assert.Equal(new[] { AccessTokenCheck.NotBefore }, result.FailedChecks);
        Assert.Contains("clock", result.Checks.Single(c => c.Check == AccessTokenCheck.NotBefore).Detail);
    }

    [Fact]
    public void The_clock_skew_can_be_narrowed()
    {
        var token = Token(c => c["exp"] = s_now.AddSeconds(-30).ToUnixTimeSeconds());
        Assert.True(Validator.Validate(token, Options()).IsValid);
        Assert.Equal(new[] { AccessTokenCheck.Expiry }, Validator.Validate(token, new AccessTokenValidationOptions { ClockSkew = TimeSpan.Zero, SkipSignatureCheck = true }).FailedChecks);
    }

    [Fact]
    public void A_token_for_another_tenant_fails_Tenant()
    {
        var result = Validator.Validate(Token(), Options(tenant: Guid.NewGuid().ToString()));

        Assert.Equal(new[] { AccessTokenCheck.Tenant }, result.FailedChecks);
        Assert.Contains(Tenant, result.Checks.Single(c => c.Check == AccessTokenCheck.Tenant).Detail);
        Assert.True(Validator.Validate(Token(), Options(tenant: Tenant.ToUpperInvariant())).IsValid);
    }

    [Fact]
    public void A_missing_role_fails_Roles_and_names_what_is_missing_and_present()
    {
        var result = Validator.Validate(Token(), Options(roles: new[] { "Incident.Read.All", "Incident.ReadWrite.All" }));

        Assert.Equal(new[] { AccessTokenCheck.Roles }, result.FailedChecks);
        var detail = result.Checks.Single(c => c.Check == AccessTokenCheck.Roles).Detail;
        Assert.Contains("Missing role Incident.ReadWrite.All", detail);
        Assert.Contains("AdvancedHunting.Read.All", detail);
    }

    [Fact]
    public void A_delegated_token_has_no_roles_and_says_so()
    {
        var result = Validator.Validate(Token(c => { c.Remove("roles"); c["scp"] = "Incident.Read"; }), Options());

        Assert.Equal(new[] { AccessTokenCheck.Roles }, result.FailedChecks);
        Assert.Contains("delegated", result.Checks.Single(c => c.Check == AccessTokenCheck.Roles).Detail);
        Assert.Equal(new[] { "Incident.Read" }, result.Scopes);
    }

    [Fact]
    public void Roles_compare_without_case_and_a_single_role_string_counts()
    {
        Assert.True(Validator.Validate(Token(c => c["roles"] = "Incident.Read.All"), Options(roles: new[] { "incident.read.all" })).IsValid);
    }

    [Fact]
    public void A_token_for_another_API_fails_Audience()
    {
        var result = Validator.Validate(Token(c => c["aud"] = "https://graph.microsoft.com"), Options());

        Assert.Equal(new[] { AccessTokenCheck.Audience }, result.FailedChecks);
        Assert.Contains("https://graph.microsoft.com", result.Checks.Single(c => c.Check == AccessTokenCheck.Audience).Detail);
    }

    [Theory]
    [InlineData("https://api.security.microsoft.com/")]
    [InlineData(CloudTable.DefenderApiApplicationId)]
    [InlineData("https://API.security.microsoft.com")]
    public void A_v2_or_slash_ended_Defender_audience_is_the_Defender_API(string aud)
    {
        var v2 = Token(c => { c["aud"] = aud; c["ver"] = "2.0"; c.Remove("appid"); c["azp"] = App; c["iss"] = $"https://login.microsoftonline.com/{Tenant}/v2.0"; });

        var result = Validator.Validate(v2, Options());

        Assert.True(result.IsValid, string.Join("; ", result.Checks));
        Assert.Equal(App, result.AppId);
        Assert.Equal("2.0", result.Version);
        Assert.True(Validator.Validate(Token(), Options(audience: CloudTable.DefenderApiApplicationId)).IsValid);
        Assert.True(Validator.Validate(Token(), Options(audience: "https://api.security.microsoft.com/.default")).IsValid);
    }

    [Fact]
    public void An_audience_list_passes_when_one_matches()
    {
        Assert.True(Validator.Validate(Token(c => c["aud"] = new[] { "https://graph.microsoft.com", "https://api.security.microsoft.com" }), Options()).IsValid);
    }

    [Fact]
    public void A_token_signed_by_another_key_fails_Signature()
    {
        var result = Validator.Validate(Token(key: _otherKey), Options(keys: Keys));

        Assert.Equal(new[] { AccessTokenCheck.Signature }, result.FailedChecks);
        Assert.False(result.SignatureVerified);
    }

    [Fact]
    public void A_token_whose_kid_is_not_in_the_keys_fails_Signature_and_names_the_kid()
    {
        var result = Validator.Validate(Token(key: _otherKey, kid: "rotated-away"), Options(keys: Keys));

        Assert.Equal(new[] { AccessTokenCheck.Signature }, result.FailedChecks);
        Assert.Contains("rotated-away", result.Checks.Single(c => c.Check == AccessTokenCheck.Signature).Detail);
    }

    [Fact]
    public void A_tampered_payload_fails_Signature()
    {
        var parts = Token().Split('.');
        var claims = Encoding.UTF8.GetString(TestJwt.Decode(parts[1])).Replace("Incident.Read.All", "Incident.ReadWrite.All");
        var tampered = parts[0] + "." + TestJwt.Encode(claims) + "." + parts[2];

        var result = Validator.Validate(tampered, Options(roles: new[] { "Incident.ReadWrite.All" }, keys: Keys));

        Assert.Equal(new[] { AccessTokenCheck.Signature }, result.FailedChecks);
        Assert.Equal(AccessTokenCheckOutcome.Skipped, Validator.Validate(tampered, Options(roles: new[] { "Incident.ReadWrite.All" })).Checks.Single(c => c.Check == AccessTokenCheck.Signature).Outcome);
    }

    [Fact]
    public void An_unsigned_token_fails_Signature_with_keys_and_even_when_the_signature_check_is_skipped()
    {
        var parts = Token().Split('.');
        var unsigned = TestJwt.Encode("{\"alg\":\"none\",\"typ\":\"JWT\"}") + "." + parts[1] + ".";

        var result = Validator.Validate(unsigned, Options(keys: Keys));

        Assert.Equal(new[] { AccessTokenCheck.Signature }, result.FailedChecks);
        var skipped = Validator.Validate(unsigned, Options());
        Assert.Equal(new[] { AccessTokenCheck.Signature }, skipped.FailedChecks);
        Assert.Contains("not signed", skipped.Checks.Single(c => c.Check == AccessTokenCheck.Signature).Detail);
    }

    public static TheoryData<string?, string> Malformed() => new()
    {
        { null, "empty" },
        { "", "empty" },
        { "   ", "empty" },
        { "abc", "1 part" },
        { "a.b", "2 parts" },
        { "a.b.c.d", "4 parts" },
        { "a.b.c.d.e", "encrypted" },
        { "eyJ!!.eyJ.sig", "header is not base64url" },
        { TestJwt.Encode("not json") + "." + TestJwt.Encode("{}") + ".c2ln", "header is not JSON" },
        { TestJwt.Encode("[1]") + "." + TestJwt.Encode("{}") + ".c2ln", "header is JSON but not an object" },
        { TestJwt.Encode("{\"alg\":\"RS256\"}") + "." + TestJwt.Encode("{\"exp\":") + ".c2ln", "payload is not JSON" },
        { "." + TestJwt.Encode("{}") + ".c2ln", "header is empty" },
        { TestJwt.Encode("{\"alg\":\"RS256\"}") + ".A.c2ln", "payload is not base64url" },
        { new string('a', AccessTokenValidator.MaxTokenLength + 1), "characters long" },
    };

    [Theory]
    [MemberData(nameof(Malformed))]
    public void Malformed_input_fails_Format_and_nothing_else(string? token, string reason)
    {
        var result = Validator.Validate(token, Options(keys: Keys));

        Assert.False(result.IsValid);
        Assert.Equal(new[] { AccessTokenCheck.Format }, result.FailedChecks);
        Assert.Contains(reason, result.Checks.Single(c => c.Check == AccessTokenCheck.Format).Detail);
        Assert.All(result.Checks.Where(c => c.Check != AccessTokenCheck.Format), c => Assert.Equal(AccessTokenCheckOutcome.Skipped, c.Outcome));
        Assert.Null(result.TenantId);
        Assert.Empty(result.Claims);
    }

    [Fact]
    public void A_huge_well_formed_looking_token_fails_Format_quickly()
    {
        var huge = Token(c => c["padding"] = new string('x', 1024 * 1024));

        var result = Validator.Validate(huge, Options());

        Assert.Equal(new[] { AccessTokenCheck.Format }, result.FailedChecks);
    }

    [Fact]
    public void A_Bearer_prefix_and_surrounding_white_space_are_ignored()
    {
        Assert.True(Validator.Validate("  Bearer " + Token() + "\r\n", Options()).IsValid);
    }

    [Fact]
    public void Times_that_are_not_numbers_fail_their_own_checks_instead_of_throwing()
    {
        var result = Validator.Validate(Token(c => { c["exp"] = "soon"; c["nbf"] = new[] { 1 }; }), Options());

        Assert.Equal(new[] { AccessTokenCheck.Expiry, AccessTokenCheck.NotBefore }, result.FailedChecks);
        Assert.Contains("not a time", result.Checks.Single(c => c.Check == AccessTokenCheck.Expiry).Detail);
    }

    [Fact]
    public void Without_requirements_only_format_and_lifetime_are_checked()
    {
        var result = Validator.Validate(Token(c => c["aud"] = "https://elsewhere"), new AccessTokenValidationOptions { Audience = null, SkipSignatureCheck = true });

        Assert.True(result.IsValid);
        Assert.Equal(
            new[] { AccessTokenCheckOutcome.Passed, AccessTokenCheckOutcome.Passed, AccessTokenCheckOutcome.Passed, AccessTokenCheckOutcome.Skipped, AccessTokenCheckOutcome.Skipped, AccessTokenCheckOutcome.Skipped, AccessTokenCheckOutcome.Skipped },
            result.Checks.Select(c => c.Outcome));
    }

    [Fact]
    public void Key_sets_that_are_not_JWKS_are_refused_with_an_error_id()
    {
        Assert.Equal(AccessTokenErrors.JwksInvalid, Assert.Throws<MdApiTokensException>(() => AccessTokenSigningKeys.FromJson("not json")).ErrorId);
        Assert.Equal(AccessTokenErrors.JwksInvalid, Assert.Throws<MdApiTokensException>(() => AccessTokenSigningKeys.FromJson("{\"keys\":[]}")).ErrorId);
        Assert.Equal(AccessTokenErrors.JwksNotFound, Assert.Throws<MdApiTokensException>(() => AccessTokenSigningKeys.FromFile("/nonexistent/keys.json")).ErrorId);
        var single = TestJwt.Jwks((_key, "key-1"));
        var jwk = single.Substring(single.IndexOf('[') + 1, single.LastIndexOf(']') - single.IndexOf('[') - 1);
        Assert.True(Validator.Validate(Token(), Options(keys: AccessTokenSigningKeys.FromJson(jwk))).SignatureVerified);
    }

    [Fact]
    public void A_token_file_written_by_Windows_PowerShell_Out_File_is_read()
    {
        using var folder = new TempFolder();
        var token = Token();
        File.WriteAllText(folder.Combine("utf16.txt"), token + "\r\n", new UnicodeEncoding(false, true));
        File.WriteAllText(folder.Combine("utf8.txt"), token);

        Assert.Equal(token, AccessTokenFile.Read(folder.Combine("utf16.txt")));
        Assert.Equal(token, AccessTokenFile.Read(folder.Combine("utf8.txt")));
        Assert.Equal(AccessTokenErrors.TokenFileNotFound, Assert.Throws<MdApiTokensException>(() => AccessTokenFile.Read(folder.Combine("none.txt"))).ErrorId);
    }

    [Fact]
    public void A_huge_token_file_is_read_only_far_enough_to_fail_Format()
    {
        using var folder = new TempFolder();
        File.WriteAllText(folder.Combine("huge.txt"), new string('a', 5 * 1024 * 1024));

        var text = AccessTokenFile.Read(folder.Combine("huge.txt"));

        Assert.InRange(text.Length, AccessTokenValidator.MaxTokenLength + 1, AccessTokenValidator.MaxTokenLength + 4096);
        Assert.Equal(new[] { AccessTokenCheck.Format }, Validator.Validate(text).FailedChecks);
    }

    public void Dispose()
    {
        _key.Dispose();
        _otherKey.Dispose();
    }
}
