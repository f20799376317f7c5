using System.Collections;
using System.Management.Automation;
using System.Security.Cryptography;
using MdApiTokens.Module.Tests.Infrastructure;
using MdApiTokens.Module.Tests.PartnerAccess;
using MdApiTokens.Tests.Shared;

namespace MdApiTokens.Module.Tests.AccessTokens;

public class TestAccessTokenTests : PartnerAccessTestBase
{
    // Tokens are signed with the fake identity platform's key, so the default check (the issuer's published keys,
    // fetched from -AuthorityHost) passes for them as it does for real tokens.
    private string Jwt(Action<Dictionary<string, object?>>? change = null, RSA? key = null)
    {
        var claims = TestJwt.AppOnlyClaims(TenantId, ClientId, Start.AddMinutes(-5), TimeSpan.FromHours(1), "Incident.Read.All");
        change?.Invoke(claims);
        return TestJwt.Create(key ?? Fake.SigningKey, claims, Fake.SigningKeyId);
    }

    private string JwksFile()
    {
        var path = Path.Combine(Folder, "keys.json");
        File.WriteAllText(path, Fake.Jwks);
        return path;
    }

    private bool Test(string? token, params (string Name, object? Value)[] parameters)
    {
        var table = new Hashtable { ["AccessToken"] = token, ["AuthorityHost"] = Fake.AuthorityHost };
        foreach (var (name, value) in parameters)
        {
            table[name] = value;
        }

        return (bool)Session.Command("Test-AccessToken", table).Succeeded().Output.Single().BaseObject;
    }

    private PSObject Detailed(string? token, params (string Name, object? Value)[] parameters)
    {
        var table = new Hashtable { ["AccessToken"] = token, ["Detailed"] = true, ["AuthorityHost"] = Fake.AuthorityHost };
        foreach (var (name, value) in parameters)
        {
            table[name] = value;
        }

        return Session.Command("Test-AccessToken", table).Succeeded().Output.Single();
    }

    private static string[] Failed(PSObject result) => ((IEnumerable)result.Properties["FailedChecks"].Value).Cast<object>().Select(o => o.ToString()!).ToArray();

    [Fact]
    public void A_valid_token_is_true_with_every_check()
    {
        Assert.True(Test(Jwt(), ("RequiredRole", new[] { "Incident.Read.All" }), ("TenantId", TenantId), ("JwksPath", JwksFile())));
    }

    [Fact]
    public void Detailed_returns_the_decoded_claims_and_no_failed_checks()
    {
        var result = Detailed(Jwt(), ("RequiredRole", new[] { "Incident.Read.All" }), ("JwksPath", JwksFile()));

        Assert.True((bool)result.Properties["IsValid"].Value);
        Assert.Empty(Failed(result));
        Assert.Equal(TenantId, result.Properties["TenantId"].Value);
        Assert.Equal(ClientId, result.Properties["AppId"].Value);
        Assert.Equal(new[] { "Incident.Read.All" }, (string[])result.Properties["Roles"].Value);
        Assert.Equal(new[] { "https://api.security.microsoft.com" }, (string[])result.Properties["Audience"].Value);
        Assert.Equal($"https://sts.windows.net/{TenantId}/", result.Properties["Issuer"].Value);
        Assert.Equal(Start.AddMinutes(55), result.Properties["ExpiresOn"].Value);
        Assert.True((bool)result.Properties["SignatureVerified"].Value);
        Assert.Equal(TenantId, ((IDictionary)result.Properties["Claims"].Value)["tid"]);
    }

    public static TheoryData<string, string> Failures() => new()
    {
        { "expired", "Expiry" },
        { "not yet valid", "NotBefore" },
        { "wrong tenant", "Tenant" },
        { "missing role", "Roles" },
        { "wrong audience", "Audience" },
        { "bad signature", "Signature" },
    };

    [Theory]
    [MemberData(nameof(Failures))]
    public void Each_failure_is_false_and_Detailed_names_the_check(string what, string check)
    {
        using var other = RSA.Create(2048);
        var token = what switch
        {
            "expired" => Jwt(c => c["exp"] = Start.AddMinutes(-6).ToUnixTimeSeconds()),
            "not yet valid" => Jwt(c => c["nbf"] = Start.AddMinutes(6).ToUnixTimeSeconds()),
            "wrong tenant" => Jwt(c => { var other = Guid.NewGuid().ToString(); c["tid"] = other; c["iss"] = $"https://sts.windows.net/{other}/"; }),
            "missing role" => Jwt(c => c["roles"] = new[] { "AdvancedHunting.Read.All" }),
            "wrong audience" => Jwt(c => c["aud"] = "https://graph.microsoft.com"),
            "bad signature" => Jwt(key: other),
            _ => throw new ArgumentOutOfRangeException(nameof(what)),
        };
        var parameters = new (string, object?)[] { ("RequiredRole", new[] { "Incident.Read.All" }), ("TenantId", TenantId), ("JwksPath", JwksFile()) };

        Assert.False(Test(token, parameters));
        var result = Detailed(token, parameters);
        Assert.Equal(new[] { check }, Failed(result));
        var checks = ((IEnumerable)result.Properties["Checks"].Value).Cast<object>().Select(PSObject.AsPSObject).ToList();
        Assert.Contains(checks, c => c.Properties["Check"].Value.ToString() == check && c.Properties["Outcome"].Value.ToString() == "Failed" && ((string)c.Properties["Detail"].Value).Length > 10);
    }

    [Theory]
    [InlineData("")]
    [InlineData("not-a-jwt")]
    [InlineData("a.b")]
    [InlineData("!!!.???.###")]
    [InlineData("eyJub3QganNvbiI.eyJ9.c2ln")]
    public void Malformed_input_is_false_with_Format_failed_never_an_exception(string token)
    {
        Assert.False(Test(token));
        Assert.Equal(new[] { "Format" }, Failed(Detailed(token)));
    }

    [Fact]
    public void Null_and_huge_input_are_false_with_Format_failed()
    {
        Assert.False(Test(null));
        var huge = Session.Run("Test-AccessToken -AccessToken ('x.' * 600000) -Detailed").Succeeded().Output.Single();
        Assert.Equal(new[] { "Format" }, Failed(huge));
    }

    [Fact]
    public void The_module_clock_decides_expiry()
    {
        var token = Jwt();
        Assert.True(Test(token));

        Session.Now = Start.AddHours(2);

        Assert.Equal(new[] { "Expiry" }, Failed(Detailed(token)));
    }

    [Fact]
    public void ClockSkew_narrows_or_widens_the_tolerance()
    {
        var token = Jwt(c => c["exp"] = Start.AddMinutes(-3).ToUnixTimeSeconds());

        Assert.True(Test(token));
        Assert.False(Test(token, ("ClockSkew", TimeSpan.FromMinutes(1))));
        Session.Command("Test-AccessToken", new Hashtable { ["AccessToken"] = token, ["ClockSkew"] = TimeSpan.FromMinutes(-1) }).SingleError("AccessTokenClockSkewInvalid", ErrorCategory.InvalidArgument);
    }

    [Fact]
    public void The_partner_token_object_pipes_in_and_the_seeds_check_passes()
    {
        File.WriteAllText(Path.Combine(Folder, "fake-keys.json"), Fake.Jwks);

        var result = Script(
            "Get-PartnerAccessToken -TenantId $tenant -ClientId $app -ClientSecret $secret -AuthorityHost $authority | Test-AccessToken -RequiredRole Incident.Read.All -TenantId $tenant -JwksPath $keys",
            new Hashtable { ["keys"] = Path.Combine(Folder, "fake-keys.json") }).Succeeded();

        Assert.Equal(new object[] { true }, result.Output.Select(o => o.BaseObject));
        var missing = Script("Get-PartnerAccessToken -TenantId $tenant -ClientId $app -ClientSecret $secret -AuthorityHost $authority | Test-AccessToken -RequiredRole Incident.ReadWrite.All").Succeeded();
        Assert.Equal(new object[] { false }, missing.Output.Select(o => o.BaseObject));
    }

    [Fact]
    public void A_government_cloud_token_piped_in_is_checked_against_that_clouds_API()
    {
        var result = Script("Get-PartnerAccessToken -TenantId $tenant -ClientId $app -ClientSecret $secret -AuthorityHost $authority -Cloud USGovHigh | Test-AccessToken -Detailed").Succeeded().Output.Single();

        Assert.Empty(Failed(result));
        Assert.Equal(new[] { "https://api-gov.security.microsoft.us" }, (string[])result.Properties["Audience"].Value);
        var gcc = Jwt(c => c["aud"] = "https://api-gcc.security.microsoft.us");
        Assert.False(Test(gcc));
        Assert.True(Test(gcc, ("Cloud", "USGov")));
        Assert.True(Test(gcc, ("Audience", "https://api-gcc.security.microsoft.us/")));
    }

    [Fact]
    public void Path_reads_the_token_written_by_OutFile()
    {
        var file = Path.Combine(Folder, "Latest-token.txt");
        GetToken(("OutFile", file)).Succeeded();

        var result = Session.Command("Test-AccessToken", new Hashtable { ["Path"] = file, ["TenantId"] = TenantId, ["RequiredRole"] = "Incident.Read.All", ["AuthorityHost"] = Fake.AuthorityHost }).Succeeded();

        Assert.True((bool)result.Output.Single().BaseObject);
        Session.Command("Test-AccessToken", new Hashtable { ["Path"] = Path.Combine(Folder, "none.txt") }).SingleError("AccessTokenFileNotFound", ErrorCategory.ObjectNotFound);
    }

    [Fact]
    public void A_key_file_that_is_not_a_key_set_is_an_error_not_false()
    {
        File.WriteAllText(Path.Combine(Folder, "bad.json"), "{\"not\":\"keys\"}");

        Session.Command("Test-AccessToken", new Hashtable { ["AccessToken"] = Jwt(), ["JwksPath"] = Path.Combine(Folder, "bad.json") }).SingleError("AccessTokenJwksInvalid", ErrorCategory.InvalidData);
        Session.Command("Test-AccessToken", new Hashtable { ["AccessToken"] = Jwt(), ["JwksPath"] = Path.Combine(Folder, "none.json") }).SingleError("AccessTokenJwksNotFound", ErrorCategory.ObjectNotFound);
    }

    [Fact]
    public void Tokens_piped_by_value_are_each_tested()
    {
        var result = Session.Run("$tokens | Test-AccessToken -AuthorityHost $authority", new Hashtable { ["tokens"] = new[] { Jwt(), "garbage", Jwt(c => c["aud"] = "x") }, ["authority"] = Fake.AuthorityHost }).Succeeded();

        Assert.Equal(new object[] { true, false, false }, result.Output.Select(o => o.BaseObject));
    }

    [Fact]
    public void Verbose_explains_each_check_without_the_token()
    {
        var token = Jwt();
        var result = Session.Command("Test-AccessToken", new Hashtable { ["AccessToken"] = token, ["RequiredRole"] = "Incident.ReadWrite.All", ["Verbose"] = true, ["AuthorityHost"] = Fake.AuthorityHost }).Succeeded();

        Assert.Contains(result.Verbose, v => v.StartsWith("Roles: Failed", StringComparison.Ordinal) && v.Contains("Incident.ReadWrite.All"));
        Assert.DoesNotContain(result.Verbose, v => v.Contains(token.Split('.')[2]));
    }

    [Fact]
    public void By_default_the_signature_is_checked_with_the_issuers_published_keys()
    {
        using var forger = RSA.Create(2048);

        var genuine = Detailed(Jwt());
        var forged = Detailed(Jwt(key: forger));

        Assert.True((bool)genuine.Properties["SignatureVerified"].Value);
        Assert.Equal(new[] { "Signature" }, Failed(forged));
        Assert.Contains(Fake.MetadataRequests, p => p.EndsWith("/.well-known/openid-configuration", StringComparison.Ordinal));
    }

    [Fact]
    public void Unreachable_metadata_is_false_with_the_reason_never_true()
    {
        Fake.InterceptMetadata = _ => FakeReply.Raw(404, "");

        var result = Detailed(Jwt());

        Assert.Equal(new[] { "Signature" }, Failed(result));
        Assert.Contains("HTTP 404", Detail(result, "Signature"));
    }

    [Fact]
    public void SkipSignatureCheck_checks_the_claims_only_and_says_so()
    {
        using var forger = RSA.Create(2048);

        var result = Detailed(Jwt(key: forger), ("SkipSignatureCheck", true));

        Assert.True((bool)result.Properties["IsValid"].Value);
        Assert.False((bool)result.Properties["SignatureVerified"].Value);
        Assert.Contains("Not checked", Detail(result, "Signature"));
        Assert.Empty(Fake.MetadataRequests);
    }

    [Fact]
    public void An_unsigned_token_is_false_even_when_the_signature_check_is_skipped()
    {
        var parts = Jwt().Split('.');
        var unsigned = TestJwt.Encode("{\"alg\":\"none\"}") + "." + parts[1] + ".";

        Assert.False(Test(unsigned));
        Assert.False(Test(unsigned, ("SkipSignatureCheck", true)));
        Assert.False(Test(unsigned, ("JwksPath", JwksFile())));
    }

    [Theory]
    [InlineData("{\"aud\":null}", "Audience")]
    [InlineData("{\"aud\":[null]}", "Audience")]
    [InlineData("{\"exp\":\"tomorrow\"}", "Expiry")]
    [InlineData("{\"nbf\":[]}", "NotBefore")]
    [InlineData("{\"roles\":{\"a\":1}}", "Roles")]
    [InlineData("{\"tid\":7}", "Tenant")]
    public void Hostile_claims_are_false_with_the_failed_check_never_an_error(string change, string check)
    {
        var payload = System.Text.Json.Nodes.JsonNode.Parse(System.Text.Encoding.UTF8.GetString(TestJwt.Decode(Jwt().Split('.')[1])))!.AsObject();
        foreach (var (name, value) in System.Text.Json.Nodes.JsonNode.Parse(change)!.AsObject().ToList())
        {
            payload[name] = value?.DeepClone();
        }

        var token = TestJwt.Create(Fake.SigningKey, System.Text.Json.JsonSerializer.Deserialize<Dictionary<string, object?>>(payload.ToJsonString())!, Fake.SigningKeyId);

        Assert.Contains(check, Failed(Detailed(token, ("JwksPath", JwksFile()))));
    }

    [Fact]
    public void A_device_as_the_key_file_is_an_error_not_out_of_memory()
    {
        if (!File.Exists("/dev/zero"))
        {
            return;
        }

        Session.Command("Test-AccessToken", new Hashtable { ["AccessToken"] = Jwt(), ["JwksPath"] = "/dev/zero" }).SingleError("AccessTokenJwksTooLarge", ErrorCategory.InvalidData);
    }

    private static string Detail(PSObject result, string check) =>
        ((IEnumerable)result.Properties["Checks"].Value).Cast<object>().Select(PSObject.AsPSObject)
            .Where(c => c.Properties["Check"].Value.ToString() == check).Select(c => (string)c.Properties["Detail"].Value).Single();
}
