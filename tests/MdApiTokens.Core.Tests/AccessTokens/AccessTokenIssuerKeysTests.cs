using System.Security.Cryptography;
using MdApiTokens.Core.AccessTokens;
using MdApiTokens.Tests.Shared;

namespace MdApiTokens.Core.Tests.AccessTokens;

/// <summary>By default the signature is verified with the keys the issuing authority publishes (a fake on 127.0.0.1 here).</summary>
public sealed class AccessTokenIssuerKeysTests : IDisposable
{
    private static readonly DateTimeOffset s_now = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private readonly IdentityPlatformFake _fake = new();
    private readonly HttpClientHandler _handler = new() { AllowAutoRedirect = false };
    private readonly AccessTokenIssuerKeys _cache;
    private readonly ManualClock _clock = new(s_now);
    private readonly string _tenant = Guid.NewGuid().ToString();

    public AccessTokenIssuerKeysTests() => _cache = new AccessTokenIssuerKeys(_handler);

    private AccessTokenValidationOptions Options(TimeSpan? timeout = null) => new()
    {
        AuthorityHost = _fake.AuthorityHost,
        IssuerKeys = _cache,
        KeyRequestTimeout = timeout ?? TimeSpan.FromSeconds(20),
    };

    private Dictionary<string, object?> Claims(Action<Dictionary<string, object?>>? change = null)
    {
        var claims = TestJwt.AppOnlyClaims(_tenant, Guid.NewGuid().ToString(), s_now.AddMinutes(-5), TimeSpan.FromHours(1), "Incident.Read.All");
        change?.Invoke(claims);
        return claims;
    }

    private string Token(Action<Dictionary<string, object?>>? change = null, RSA? key = null, string? kid = null) =>
        TestJwt.Create(key ?? _fake.SigningKey, Claims(change), kid ?? _fake.SigningKeyId);

    private AccessTokenValidationResult Validate(string token, AccessTokenValidationOptions? options = null) => new AccessTokenValidator(_clock).Validate(token, options ?? Options());

    private static string SignatureDetail(AccessTokenValidationResult result) => result.Checks.Single(c => c.Check == AccessTokenCheck.Signature).Detail;

    [Fact]
    public void A_v1_token_is_verified_with_the_keys_its_tenants_v1_metadata_points_to()
    {
        var result = Validate(Token());

        Assert.True(result.IsValid, string.Join("; ", result.Checks));
        Assert.True(result.SignatureVerified);
        Assert.Equal(new[] { $"/{_tenant}/.well-known/openid-configuration", "/common/discovery/keys" }, _fake.MetadataRequests);
    }

    [Fact]
    public void A_v2_token_is_verified_through_the_v2_metadata_and_its_issuer_must_be_the_authoritys()
    {
        var v2Issuer = $"{_fake.AuthorityHost}{_tenant}/v2.0";

        Assert.True(Validate(Token(c => { c["iss"] = v2Issuer; c["ver"] = "2.0"; })).SignatureVerified);
        Assert.Equal($"/{_tenant}/v2.0/.well-known/openid-configuration", _fake.MetadataRequests.First());

        var foreign = Validate(Token(c => c["iss"] = $"https://issuer.example/{_tenant}/v2.0"));
        Assert.Equal(new[] { AccessTokenCheck.Signature }, foreign.FailedChecks);
        Assert.Contains("issues tenant", SignatureDetail(foreign));
    }

    [Fact]
    public void Another_tenants_issuer_in_the_token_fails_the_signature_check()
    {
        var result = Validate(Token(c => c["iss"] = $"https://sts.windows.net/{Guid.NewGuid()}/"));

        Assert.Equal(new[] { AccessTokenCheck.Signature }, result.FailedChecks);
    }

    [Fact]
    public void Keys_are_fetched_once_and_reused_in_the_process()
    {
        Assert.True(Validate(Token()).IsValid);
        Assert.True(Validate(Token()).IsValid);
        Assert.True(Validate(Token()).IsValid);

        Assert.Equal(2, _fake.MetadataRequests.Count);
    }

    [Fact]
    public void An_unknown_kid_refreshes_the_keys_at_most_once_every_five_minutes()
    {
        Assert.True(Validate(Token()).IsValid);
        using var rotated = RSA.Create(2048);
        _fake.ServedJwks = TestJwt.Jwks((_fake.SigningKey, _fake.SigningKeyId), (rotated, "rotated"));
        var newToken = Token(key: rotated, kid: "rotated");

        var tooSoon = Validate(newToken);
        Assert.Equal(new[] { AccessTokenCheck.Signature }, tooSoon.FailedChecks);
        Assert.Contains("at most every 5 minutes", SignatureDetail(tooSoon));
        Assert.Equal(2, _fake.MetadataRequests.Count);

        _clock.Advance(AccessTokenIssuerKeys.RefreshInterval);
        Assert.True(Validate(newToken).IsValid);
        Assert.Equal(3, _fake.MetadataRequests.Count);

        Assert.False(Validate(Token(key: rotated, kid: "never-published")).IsValid);
        Assert.Equal(3, _fake.MetadataRequests.Count);
    }

    [Fact]
    public void A_token_signed_by_another_key_under_the_published_kid_is_not_valid()
    {
        using var attacker = RSA.Create(2048);

        var result = Validate(Token(key: attacker));

        Assert.Equal(new[] { AccessTokenCheck.Signature }, result.FailedChecks);
        Assert.Contains("altered or signed by another key", SignatureDetail(result));
    }

    [Theory]
    [InlineData("404", "HTTP 404")]
    [InlineData("html", "not the identity platform's OpenID configuration")]
    [InlineData("elsewhere", "same host")]
    public void Metadata_that_cannot_be_used_fails_the_signature_check_with_the_reason(string kind, string reason)
    {
        _fake.InterceptMetadata = path => kind switch
        {
            "404" => FakeReply.Raw(404, ""),
            "html" => FakeReply.Raw(200, "<html>Sign in</html>"),
            _ => path.EndsWith("openid-configuration", StringComparison.Ordinal) ? FakeReply.Raw(200, "{\"issuer\":\"x\",\"jwks_uri\":\"https://keys.example/keys\"}") : null,
        };

        var result = Validate(Token());

        Assert.False(result.IsValid);
        Assert.Equal(new[] { AccessTokenCheck.Signature }, result.FailedChecks);
        Assert.Contains(reason, SignatureDetail(result));
    }

    [Fact]
    public void Nobody_listening_fails_the_signature_check_never_valid()
    {
        var host = _fake.AuthorityHost;
        var token = Token();
        _fake.Dispose();

        var result = Validate(token, new AccessTokenValidationOptions { AuthorityHost = host, IssuerKeys = _cache });

        Assert.Equal(new[] { AccessTokenCheck.Signature }, result.FailedChecks);
        Assert.StartsWith("Not verified:", SignatureDetail(result));
    }

    [Fact]
    public void A_metadata_or_key_body_beyond_the_limit_fails_without_reading_it_all()
    {
        _fake.InterceptMetadata = path => path.Contains("keys", StringComparison.Ordinal) ? FakeReply.Huge(64L * 1024 * 1024) : null;

        var result = Validate(Token());

        Assert.Equal(new[] { AccessTokenCheck.Signature }, result.FailedChecks);
        Assert.Contains($"more than the {AccessTokenIssuerKeys.MaxBodyBytes / 1024} KiB", SignatureDetail(result));
    }

    [Fact]
    public void A_stalled_body_fails_within_the_request_timeout()
    {
        _fake.InterceptMetadata = _ => FakeReply.Stalled();

        var result = Validate(Token(), Options(TimeSpan.FromMilliseconds(300)));

        Assert.Equal(new[] { AccessTokenCheck.Signature }, result.FailedChecks);
        Assert.Contains("no complete answer within 0.3 seconds", SignatureDetail(result));
    }

    [Fact]
    public void An_authority_host_that_is_not_plain_https_is_an_error()
    {
        var error = Assert.Throws<MdApiTokensException>(() => Validate(Token(), new AccessTokenValidationOptions { AuthorityHost = new Uri("http://127.0.0.1:1/") }));

        Assert.Equal(AccessTokenErrors.AuthorityHostInvalid, error.ErrorId);
    }

    public void Dispose()
    {
        _cache.Dispose();
        _handler.Dispose();
        _fake.Dispose();
    }
}
