using System.IdentityModel.Tokens.Jwt;
using System.Security;
using MdApiTokens.Core;
using MdApiTokens.Core.PartnerAccess;
using MdApiTokens.Core.Shared;
using MdApiTokens.Tests.Shared;

namespace MdApiTokens.Core.Tests.PartnerAccess;

public sealed class PartnerTokenClientTests : IDisposable
{
    private readonly IdentityPlatformFake _fake = new();
    private readonly PartnerTokenClient _client = new();
    private readonly string _clientId = Guid.NewGuid().ToString();
    private readonly string _tenant = Guid.NewGuid().ToString();
    private const string Secret = "s3cr3t~Value.with+special/chars=";

    private PartnerTokenRequest Request(string? tenant = null, PartnerCredential? credential = null, bool forceRefresh = false) =>
        new(tenant ?? _tenant, PartnerApplication.Create(_clientId, credential ?? PartnerCredential.FromSecret(Secret), authorityHost: _fake.AuthorityHost))
        {
            ForceRefresh = forceRefresh,
            Timeout = TimeSpan.FromSeconds(20),
        };

    [Fact]
    public async Task A_client_secret_gets_a_token_for_the_tenant_with_what_MSAL_must_send()
    {
        _fake.Register(_clientId, Secret);

        var result = await _client.AcquireTokenAsync(Request());

        var sent = Assert.Single(_fake.TokenRequests);
        Assert.Equal(_tenant, sent.Tenant);
        Assert.Equal("client_credentials", sent.Field("grant_type"));
        Assert.Equal(_clientId, sent.Field("client_id"));
        Assert.Equal("https://api.security.microsoft.com/.default", sent.Field("scope"));
        Assert.Equal(Secret, sent.Field("client_secret"));
        Assert.Null(sent.Field("client_assertion"));
        Assert.Empty(_fake.OtherRequests);

        var token = result.Token;
        Assert.False(result.FromCache);
        Assert.Equal(sent.IssuedToken, token.AccessToken);
        Assert.Equal("Bearer", token.TokenType);
        Assert.Equal(_tenant, token.TenantId);
        Assert.Equal(_clientId, token.ClientId);
        Assert.Equal(new[] { "https://api.security.microsoft.com/.default" }, token.Scopes);
        Assert.Equal(AzureCloud.Public, token.Cloud);
        Assert.Equal(new Uri(_fake.AuthorityHost, _tenant + "/"), token.Authority);
        Assert.InRange(token.ExpiresOn, DateTimeOffset.UtcNow.AddMinutes(55), DateTimeOffset.UtcNow.AddMinutes(61));
        Assert.DoesNotContain(token.AccessToken, token.ToString());
        Assert.Equal(_tenant, new JwtSecurityTokenHandler().ReadJwtToken(token.AccessToken).Claims.Single(c => c.Type == "tid").Value);
    }

    [Fact]
    public async Task A_second_request_within_the_lifetime_is_answered_from_the_cache()
    {
        _fake.Register(_clientId, Secret);

        var first = await _client.AcquireTokenAsync(Request());
        var second = await _client.AcquireTokenAsync(Request());

        Assert.Equal(1, _fake.TokenRequestCount);
        Assert.False(first.FromCache);
        Assert.True(second.FromCache);
        Assert.Equal(first.Token.AccessToken, second.Token.AccessToken);
    }

    [Fact]
    public async Task ForceRefresh_sends_a_new_request_each_time()
    {
        _fake.Register(_clientId, Secret);

        await _client.AcquireTokenAsync(Request());
        var refreshed = await _client.AcquireTokenAsync(Request(forceRefresh: true));

        Assert.Equal(2, _fake.TokenRequestCount);
        Assert.False(refreshed.FromCache);
    }

    [Fact]
    public async Task A_token_close_to_expiry_is_not_reused()
    {
        _fake.Register(_clientId, Secret);
        _fake.TokenLifetime = TimeSpan.FromMinutes(4); // MSAL refreshes tokens within five minutes of expiry

        await _client.AcquireTokenAsync(Request());
        await _client.AcquireTokenAsync(Request());

        Assert.Equal(2, _fake.TokenRequestCount);
    }

    [Fact]
    public async Task Each_tenant_gets_its_own_request_and_token()
    {
        _fake.Register(_clientId, Secret);
        var tenants = Enumerable.Range(0, 3).Select(_ => Guid.NewGuid().ToString()).ToList();

        var tokens = new List<PartnerAccessToken>();
        foreach (var tenant in tenants.Concat(tenants))
        {
            tokens.Add((await _client.AcquireTokenAsync(Request(tenant))).Token);
        }

        Assert.Equal(tenants, _fake.TokenRequests.Select(r => r.Tenant));
        Assert.Equal(tenants.Concat(tenants), tokens.Select(t => t.TenantId));
        Assert.Equal(3, tokens.Select(t => t.AccessToken).Distinct().Count());
    }

    [Fact]
    public async Task A_different_secret_is_a_different_client_and_is_checked_again()
    {
        _fake.Register(_clientId, Secret);
        await _client.AcquireTokenAsync(Request());

        var wrong = await Assert.ThrowsAsync<PartnerAccessException>(() => _client.AcquireTokenAsync(Request(credential: PartnerCredential.FromSecret("another"))));

        Assert.Equal(PartnerAccessErrors.SecretInvalid, wrong.ErrorId);
        Assert.Equal(2, _fake.TokenRequestCount);
    }

    [Fact]
    public async Task A_certificate_signs_a_client_assertion_the_platform_verifies()
    {
        using var certificate = TestCertificates.CreateClientCertificate();
        _fake.Register(_clientId, null, TestCertificates.PublicOnly(certificate));

        var result = await _client.AcquireTokenAsync(Request(credential: PartnerCredential.FromCertificate(certificate)));

        var sent = Assert.Single(_fake.TokenRequests);
        Assert.Equal("assertion", sent.CredentialKind);
        Assert.True(sent.AssertionVerified);
        Assert.Null(sent.Field("client_secret"));
        Assert.Equal("urn:ietf:params:oauth:client-assertion-type:jwt-bearer", sent.Field("client_assertion_type"));
        Assert.Equal(sent.IssuedToken, result.Token.AccessToken);
    }

    [Fact]
    public async Task A_certificate_the_application_does_not_know_is_reported_as_a_certificate_problem()
    {
        using var registered = TestCertificates.CreateClientCertificate();
        using var other = TestCertificates.CreateClientCertificate("CN=someone else");
        _fake.Register(_clientId, null, TestCertificates.PublicOnly(registered));

        var error = await Assert.ThrowsAsync<PartnerAccessException>(() => _client.AcquireTokenAsync(Request(credential: PartnerCredential.FromCertificate(other))));

        Assert.Equal(PartnerAccessErrors.CertificateInvalid, error.ErrorId);
        Assert.Equal(ErrorKind.AuthenticationError, error.Kind);
        Assert.Equal("AADSTS700027", error.AadstsCode);
        Assert.Contains("AADSTS700027", error.Message);
        Assert.Equal("assertion", Assert.Single(_fake.TokenRequests).CredentialKind);
        Assert.False(_fake.TokenRequests.Single().AssertionVerified);
    }

    [Fact]
    public async Task The_certificate_stays_usable_after_the_caller_disposes_theirs()
    {
        var certificate = TestCertificates.CreateClientCertificate();
        _fake.Register(_clientId, null, TestCertificates.PublicOnly(certificate));
        await _client.AcquireTokenAsync(Request(credential: PartnerCredential.FromCertificate(certificate)));
        var again = PartnerCredential.FromCertificate(certificate);
        certificate.Dispose();

        await _client.AcquireTokenAsync(Request(credential: again, forceRefresh: true));

        Assert.Equal(2, _fake.TokenRequests.Count(r => r.AssertionVerified));
    }

    [Fact]
    public async Task A_pfx_file_with_or_without_a_password_is_a_certificate_credential()
    {
        using var folder = new TempFolder();
        using var certificate = TestCertificates.CreateClientCertificate();
        _fake.Register(_clientId, null, TestCertificates.PublicOnly(certificate));
        TestCertificates.WritePfx(certificate, folder.Combine("with.pfx"), "pfx-password");
        TestCertificates.WritePfx(certificate, folder.Combine("without.pfx"), null);

        using var withPassword = PartnerCredential.FromPfxFile(folder.Combine("with.pfx"), Secure("pfx-password"));
        using var withoutPassword = PartnerCredential.FromPfxFile(folder.Combine("without.pfx"), null);
        await _client.AcquireTokenAsync(Request(credential: withPassword));
        await _client.AcquireTokenAsync(Request(credential: withoutPassword, forceRefresh: true));

        Assert.Equal(2, _fake.TokenRequests.Count(r => r.AssertionVerified));
        var wrong = Assert.Throws<MdApiTokensException>(() => PartnerCredential.FromPfxFile(folder.Combine("with.pfx"), Secure("wrong")));
        Assert.Equal(PartnerAccessErrors.CertificateInvalid, wrong.ErrorId);
        Assert.DoesNotContain("wrong", wrong.Message.Replace("may be wrong", ""), StringComparison.Ordinal);
        var missing = Assert.Throws<MdApiTokensException>(() => PartnerCredential.FromPfxFile(folder.Combine("none.pfx"), null));
        Assert.Equal(PartnerAccessErrors.CertificateNotFound, missing.ErrorId);
    }

    [Fact]
    public void A_certificate_without_its_private_key_is_refused_before_any_request()
    {
        using var certificate = TestCertificates.CreateClientCertificate();
        using var publicOnly = TestCertificates.PublicOnly(certificate);

        var error = Assert.Throws<MdApiTokensException>(() => PartnerCredential.FromCertificate(publicOnly));

        Assert.Equal(PartnerAccessErrors.CertificateInvalid, error.ErrorId);
        Assert.Contains("no private key", error.Message);
    }

    [Fact]
    public void Thumbprints_are_normalised_and_bad_ones_refused()
    {
        Assert.Equal("0123456789ABCDEF0123456789ABCDEF01234567", PartnerCredential.NormalizeThumbprint("\u200e01 23 45 67 89 ab cd ef 01 23 45 67 89 ab cd ef 01 23 45 67"));
        Assert.Equal("0123456789ABCDEF0123456789ABCDEF01234567", PartnerCredential.NormalizeThumbprint("01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67"));
        Assert.Equal(PartnerAccessErrors.CertificateNotFound, Assert.Throws<MdApiTokensException>(() => PartnerCredential.NormalizeThumbprint("xyz")).ErrorId);
        Assert.Equal(PartnerAccessErrors.CertificateNotFound, Assert.Throws<MdApiTokensException>(() => PartnerCredential.FromStore(new string('A', 40))).ErrorId);
    }

    [Theory]
    [InlineData(AzureCloud.Public, "https://api.security.microsoft.com/.default")]
    [InlineData(AzureCloud.USGov, "https://api-gcc.security.microsoft.us/.default")]
    [InlineData(AzureCloud.USGovHigh, "https://api-gov.security.microsoft.us/.default")]
    [InlineData(AzureCloud.USGovDoD, "https://api-gov.security.microsoft.us/.default")]
    public async Task The_default_scope_is_the_Defender_API_of_the_cloud(AzureCloud cloud, string scope)
    {
        _fake.Register(_clientId, Secret);

        var result = await _client.AcquireTokenAsync(new PartnerTokenRequest(_tenant, PartnerApplication.Create(_clientId, PartnerCredential.FromSecret(Secret), cloud, _fake.AuthorityHost)));

        Assert.Equal(scope, Assert.Single(_fake.TokenRequests).Field("scope"));
        Assert.Equal(cloud, result.Token.Cloud);
    }

    [Fact]
    public void Scopes_must_be_default_scopes_and_the_seeds_typo_gets_a_suggestion()
    {
        _fake.Register(_clientId, Secret);

        var error = Assert.Throws<MdApiTokensException>(() => PartnerApplication.Create(_clientId, PartnerCredential.FromSecret(Secret), AzureCloud.Public, _fake.AuthorityHost, new[] { "https://api.security.microsoft.com.default" }));

        Assert.Equal(PartnerAccessErrors.ScopeInvalid, error.ErrorId);
        Assert.Contains("'https://api.security.microsoft.com/.default'", error.RecommendedAction);
        Assert.Empty(_fake.TokenRequests);
    }

    [Theory]
    [InlineData("common")]
    [InlineData("organizations")]
    [InlineData("")]
    [InlineData("not a tenant")]
    [InlineData("x/../y")]
    public async Task Tenants_that_are_not_one_customer_tenant_are_refused_before_any_request(string tenant)
    {
        _fake.Register(_clientId, Secret);

        var error = await Assert.ThrowsAsync<MdApiTokensException>(() => _client.AcquireTokenAsync(Request(tenant)));

        Assert.Equal(PartnerAccessErrors.TenantIdInvalid, error.ErrorId);
        Assert.Empty(_fake.TokenRequests);
    }

    [Fact]
    public async Task A_domain_name_is_a_tenant()
    {
        _fake.Register(_clientId, Secret);

        var result = await _client.AcquireTokenAsync(Request("Contoso.OnMicrosoft.com"));

        Assert.Equal("contoso.onmicrosoft.com", Assert.Single(_fake.TokenRequests).Tenant);
        Assert.Equal("contoso.onmicrosoft.com", result.Token.TenantId);
    }

    [Theory]
    [InlineData("http://127.0.0.1:1/")]
    [InlineData("https://user:pw@login.example/")]
    [InlineData("https://login.example/?x=1")]
    public void Authority_hosts_must_be_plain_https(string host)
    {
        var error = Assert.Throws<MdApiTokensException>(() => PartnerClouds.ValidateAuthorityHost(new Uri(host)));
        Assert.Equal(PartnerAccessErrors.AuthorityHostInvalid, error.ErrorId);
        Assert.Equal(ErrorKind.InvalidArgument, error.Kind);
    }

    [Fact]
    public void Clouds_sign_in_where_the_US_government_documentation_says()
    {
        Assert.Equal("login.microsoftonline.com", PartnerClouds.AuthorityHost(AzureCloud.Public).Host);
        Assert.Equal("login.microsoftonline.com", PartnerClouds.AuthorityHost(AzureCloud.USGov).Host);
        Assert.Equal("login.microsoftonline.us", PartnerClouds.AuthorityHost(AzureCloud.USGovHigh).Host);
        Assert.Equal("login.microsoftonline.us", PartnerClouds.AuthorityHost(AzureCloud.USGovDoD).Host);
    }

    private static SecureString Secure(string value)
    {
        var secure = new SecureString();
        foreach (var c in value)
        {
            secure.AppendChar(c);
        }

        secure.MakeReadOnly();
        return secure;
    }

    public void Dispose() => _fake.Dispose();
}
