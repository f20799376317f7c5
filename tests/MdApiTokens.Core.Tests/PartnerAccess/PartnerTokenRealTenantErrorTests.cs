using System.Text.Json;
using MdApiTokens.Core.PartnerAccess;
using MdApiTokens.Tests.Shared;

namespace MdApiTokens.Core.Tests.PartnerAccess;

/// <summary>What real tenants and misdirected sign-in hosts answer, turned into errors a person can act on.</summary>
public sealed class PartnerTokenRealTenantErrorTests : IDisposable
{
    private const string Secret = "Zx8Q~correct-horse.battery+staple/9";
    private readonly IdentityPlatformFake _fake = new();
    private readonly PartnerTokenClient _client = new();
    private readonly string _clientId = Guid.NewGuid().ToString();
    private readonly string _tenant = Guid.NewGuid().ToString();

    public PartnerTokenRealTenantErrorTests() => _fake.Register(_clientId, Secret);

    private async Task<PartnerAccessException> Fails() =>
        await Assert.ThrowsAsync<PartnerAccessException>(() => _client.AcquireTokenAsync(
            new PartnerTokenRequest(_tenant, PartnerApplication.Create(_clientId, PartnerCredential.FromSecret(Secret), authorityHost: _fake.AuthorityHost)) { Timeout = TimeSpan.FromSeconds(20) }));

    [Fact]
    public async Task AADSTS7000229_no_service_principal_in_the_tenant_is_missing_consent_with_the_link()
    {
        _fake.Intercept = _ => FakeReply.Aadsts(400, "invalid_client", 7000229, $"The client application {_clientId} is missing service principal in the tenant {_tenant}.");

        var error = await Fails();

        Assert.Equal(PartnerAccessErrors.ConsentMissing, error.ErrorId);
        Assert.Equal("AADSTS7000229", error.AadstsCode);
        Assert.NotNull(error.ConsentLink);
        Assert.Contains(error.ConsentLink!.AbsoluteUri, error.Message);
        Assert.Equal(ErrorScope.Item, error.Scope);
    }

    [Fact]
    public async Task AADSTS53003_is_the_customers_Conditional_Access_for_workload_identities()
    {
        _fake.Intercept = _ => FakeReply.Aadsts(400, "invalid_grant", 53003, "Access has been blocked by Conditional Access policies. The access policy does not allow token issuance.");

        var error = await Fails();

        Assert.Equal(PartnerAccessErrors.ConditionalAccessBlocked, error.ErrorId);
        Assert.Equal(ErrorKind.PermissionDenied, error.Kind);
        Assert.Contains("Conditional Access for workload identities", error.Message);
        Assert.Contains(_tenant, error.Message);
        Assert.Contains("Conditional Access", error.RecommendedAction);
        Assert.Equal(ErrorScope.Item, error.Scope);
    }

    [Theory]
    [InlineData(404, "<html><body>Not Found</body></html>")]
    [InlineData(404, "")]
    [InlineData(400, "<html>Bad Request</html>")]
    public async Task A_sign_in_host_that_is_not_the_identity_platform_names_AuthorityHost(int status, string body)
    {
        _fake.Intercept = _ => FakeReply.Raw(status, body);

        var error = await Fails();

        Assert.Equal(PartnerAccessErrors.TokenResponseInvalid, error.ErrorId);
        Assert.Contains("-AuthorityHost", error.Message + " " + error.RecommendedAction);
        Assert.Contains(_fake.AuthorityHost.Host, error.Message);
    }

    [Fact]
    public async Task A_correlation_id_appears_once_even_when_the_description_repeats_it_on_one_line()
    {
        var correlation = Guid.NewGuid().ToString();
        var body = JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["error"] = "invalid_request",
            ["error_description"] = $"AADSTS9002313: Invalid request. Trace ID: {Guid.NewGuid()} Correlation ID: {correlation} Timestamp: 2026-11-23 10:00:00Z",
            ["error_codes"] = new[] { 9002313 },
            ["correlation_id"] = correlation,
        });
        _fake.Intercept = _ => FakeReply.Raw(400, body);

        var error = await Fails();

        Assert.Equal(correlation, error.CorrelationId);
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(error.Message, "Correlation ID"));
        Assert.DoesNotContain("Trace ID", error.Message);
    }

    public void Dispose() => _fake.Dispose();
}
