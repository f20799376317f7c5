using System.Diagnostics;
using MdApiTokens.Core;
using MdApiTokens.Core.PartnerAccess;
using MdApiTokens.Tests.Shared;

namespace MdApiTokens.Core.Tests.PartnerAccess;

/// <summary>What the identity platform refuses, and how it fails, becomes an error a person can act on.</summary>
public sealed class PartnerTokenErrorTests : IDisposable
{
    private const string Secret = "Zx8Q~correct-horse.battery+staple/9";
    private readonly IdentityPlatformFake _fake = new();
    private readonly PartnerTokenClient _client = new();
    private readonly string _clientId = Guid.NewGuid().ToString();
    private readonly string _tenant = Guid.NewGuid().ToString();

    private Task<PartnerTokenResult> Acquire(string? secret = null, TimeSpan? timeout = null, CancellationToken cancellation = default) =>
        _client.AcquireTokenAsync(
            new PartnerTokenRequest(_tenant, PartnerApplication.Create(_clientId, PartnerCredential.FromSecret(secret ?? Secret), authorityHost: _fake.AuthorityHost))
            {
                Timeout = timeout ?? TimeSpan.FromSeconds(20),
            },
            cancellation);

    private async Task<PartnerAccessException> Fails(string? secret = null, TimeSpan? timeout = null) =>
        await Assert.ThrowsAsync<PartnerAccessException>(() => Acquire(secret, timeout));

    [Fact]
    public async Task An_application_not_consented_in_the_tenant_gives_the_consent_link_for_that_tenant()
    {
        var application = _fake.Register(_clientId, Secret);
        application.ConsentedTenants = new HashSet<string> { Guid.NewGuid().ToString() };

        var error = await Fails();

        Assert.Equal(PartnerAccessErrors.ConsentMissing, error.ErrorId);
        Assert.Equal(ErrorKind.PermissionDenied, error.Kind);
        Assert.Equal("AADSTS700016", error.AadstsCode);
        Assert.Equal("unauthorized_client", error.OAuthError);
        Assert.Equal(400, error.StatusCode);
        Assert.Equal(_tenant, error.Target);
        var link = new Uri(_fake.AuthorityHost, $"{_tenant}/oauth2/authorize?prompt=consent&client_id={_clientId}&response_type=code&sso_reload=true");
        Assert.Equal(link, error.ConsentLink);
        Assert.Contains(link.AbsoluteUri, error.Message);
        Assert.Contains(link.AbsoluteUri, error.RecommendedAction);
        Assert.Contains("AADSTS700016", error.Message);
        Assert.NotNull(error.CorrelationId);
        Assert.Contains(error.CorrelationId!, error.Message);
        Assert.NotNull(error.TraceId);
    }

    [Fact]
    public async Task AADSTS65001_is_also_missing_consent()
    {
        _fake.Register(_clientId, Secret);
        _fake.Intercept = _ => FakeReply.Aadsts(400, "invalid_grant", 65001, "The user or administrator has not consented to use the application.");

        var error = await Fails();

        Assert.Equal(PartnerAccessErrors.ConsentMissing, error.ErrorId);
        Assert.Equal("AADSTS65001", error.AadstsCode);
        Assert.NotNull(error.ConsentLink);
    }

    [Fact]
    public async Task A_wrong_secret_is_an_authentication_error_that_says_value_not_id()
    {
        _fake.Register(_clientId, Secret);

        var error = await Fails("not-the-secret");

        Assert.Equal(PartnerAccessErrors.SecretInvalid, error.ErrorId);
        Assert.Equal(ErrorKind.AuthenticationError, error.Kind);
        Assert.Equal("AADSTS7000215", error.AadstsCode);
        Assert.Equal(401, error.StatusCode);
        Assert.Contains("AADSTS7000215", error.Message);
        Assert.Contains("Value (not its Secret ID)", error.RecommendedAction);
    }

    [Fact]
    public async Task An_expired_secret_says_to_create_a_new_one()
    {
        _fake.Register(_clientId, Secret).SecretExpired = true;

        var error = await Fails();

        Assert.Equal(PartnerAccessErrors.SecretExpired, error.ErrorId);
        Assert.Equal(ErrorKind.AuthenticationError, error.Kind);
        Assert.Equal("AADSTS7000222", error.AadstsCode);
        Assert.Contains("new client secret", error.RecommendedAction);
    }

    [Fact]
    public async Task An_unknown_tenant_says_to_check_the_id_and_the_cloud()
    {
        _fake.Register(_clientId, Secret);
        _fake.UnknownTenants[_tenant] = true;

        var error = await Fails();

        Assert.Equal(PartnerAccessErrors.TenantNotFound, error.ErrorId);
        Assert.Equal(ErrorKind.ObjectNotFound, error.Kind);
        Assert.Equal("AADSTS90002", error.AadstsCode);
        Assert.Contains("-Cloud", error.RecommendedAction);
    }

    [Theory]
    [InlineData(900023, "invalid_request", PartnerAccessErrors.TenantNotFound, ErrorKind.InvalidArgument)]
    [InlineData(700024, "invalid_client", PartnerAccessErrors.CertificateInvalid, ErrorKind.AuthenticationError)]
    [InlineData(500011, "invalid_resource", PartnerAccessErrors.ResourceNotFound, ErrorKind.ObjectNotFound)]
    [InlineData(70011, "invalid_scope", PartnerAccessErrors.ScopeInvalid, ErrorKind.InvalidArgument)]
    [InlineData(7000112, "unauthorized_client", PartnerAccessErrors.TokenRequestFailed, ErrorKind.AuthenticationError)]
    public async Task Other_AADSTS_codes_map_to_their_error_ids_and_keep_the_code(int code, string error, string errorId, ErrorKind kind)
    {
        _fake.Register(_clientId, Secret);
        _fake.Intercept = _ => FakeReply.Aadsts(400, error, code, "Something the platform says.");

        var failure = await Fails();

        Assert.Equal(errorId, failure.ErrorId);
        Assert.Equal(kind, failure.Kind);
        Assert.Equal("AADSTS" + code, failure.AadstsCode);
        Assert.Contains("AADSTS" + code, failure.Message);
    }

    [Fact]
    public async Task Throttling_is_a_limits_error_with_the_wait_the_platform_asked_for()
    {
        _fake.Register(_clientId, Secret);
        _fake.Intercept = _ => FakeReply.Aadsts(429, "temporarily_unavailable", 50196, "The server terminated an operation because it encountered a client request loop.", TimeSpan.FromSeconds(30));

        var error = await Fails();

        Assert.Equal(PartnerAccessErrors.Throttled, error.ErrorId);
        Assert.Equal(ErrorKind.LimitsExceeded, error.Kind);
        Assert.Equal(TimeSpan.FromSeconds(30), error.RetryAfter);
    }

    [Fact]
    public async Task A_server_error_with_Retry_After_is_not_retried_and_is_reported_as_unavailable()
    {
        _fake.Register(_clientId, Secret);
        _fake.Intercept = _ => FakeReply.Aadsts(503, "temporarily_unavailable", 90033, "A transient error has occurred.", TimeSpan.FromSeconds(10));

        var error = await Fails();

        Assert.Equal(PartnerAccessErrors.TokenRequestFailed, error.ErrorId);
        Assert.Equal(ErrorKind.ResourceUnavailable, error.Kind);
        Assert.Equal(503, error.StatusCode);
        Assert.Equal(1, _fake.TokenRequestCount);
    }

    [Fact]
    public async Task A_server_error_is_retried_once_by_MSAL()
    {
        _fake.Register(_clientId, Secret);
        _fake.Intercept = record => _fake.TokenRequestCount == 1 ? FakeReply.Raw(500, "{}") : null;

        var result = await Acquire();

        Assert.Equal(2, _fake.TokenRequestCount);
        Assert.False(result.FromCache);
    }

    [Fact]
    public async Task A_slow_platform_is_an_operation_timeout_not_a_hang()
    {
        _fake.Register(_clientId, Secret);
        _fake.Intercept = _ => FakeReply.Slow(TimeSpan.FromMinutes(5));
        var watch = Stopwatch.StartNew();

        var error = await Fails(timeout: TimeSpan.FromMilliseconds(500));

        Assert.Equal(PartnerAccessErrors.TokenRequestTimeout, error.ErrorId);
        Assert.Equal(ErrorKind.OperationTimeout, error.Kind);
        Assert.Contains("0.5 seconds", error.Message);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(30), $"took {watch.Elapsed}");
    }

    [Fact]
    public async Task A_reset_connection_is_a_connection_error()
    {
        _fake.Register(_clientId, Secret);
        _fake.Intercept = _ => FakeReply.Abort();

        var error = await Fails();

        Assert.Equal(PartnerAccessErrors.AuthorityUnreachable, error.ErrorId);
        Assert.Equal(ErrorKind.ConnectionError, error.Kind);
    }

    [Fact]
    public async Task Nobody_listening_is_a_connection_error()
    {
        var closed = _fake.AuthorityHost;
        _fake.Dispose();

        var error = await Assert.ThrowsAsync<PartnerAccessException>(() => _client.AcquireTokenAsync(
            new PartnerTokenRequest(_tenant, PartnerApplication.Create(_clientId, PartnerCredential.FromSecret(Secret), authorityHost: closed))));

        Assert.Equal(PartnerAccessErrors.AuthorityUnreachable, error.ErrorId);
        Assert.Contains("127.0.0.1", error.Message);
    }

    [Theory]
    [InlineData("this is not json")]
    [InlineData("{\"token_type\":\"Bearer\",\"expires_in\":3599}")]
    [InlineData("[1,2,3]")]
    public async Task A_broken_success_response_is_a_protocol_error(string body)
    {
        _fake.Register(_clientId, Secret);
        _fake.Intercept = _ => FakeReply.Raw(200, body);

        var error = await Fails();

        Assert.Equal(PartnerAccessErrors.TokenResponseInvalid, error.ErrorId);
        Assert.Equal(ErrorKind.ProtocolError, error.Kind);
    }

    [Fact]
    public async Task A_truncated_response_is_a_clear_error()
    {
        _fake.Register(_clientId, Secret);
        _fake.Intercept = _ => FakeReply.Truncated();

        var error = await Fails();

        Assert.Contains(error.ErrorId, new[] { PartnerAccessErrors.AuthorityUnreachable, PartnerAccessErrors.TokenResponseInvalid });
    }

    [Fact]
    public async Task A_secret_the_server_echoes_never_reaches_the_error()
    {
        _fake.Register(_clientId, "the-real-one");
        _fake.EchoSecretInErrors = true;
        _fake.Intercept = record => FakeReply.Aadsts(400, "invalid_request", 9002313, $"Bad request; you sent {record.Field("client_secret")} ({Uri.EscapeDataString(record.Field("client_secret")!)}).");

        var error = await Fails();

        AssertNoSecret(error);
        Assert.Contains("***", error.Message);
    }

    [Fact]
    public async Task A_wrong_secret_echoed_by_the_server_never_reaches_the_error()
    {
        _fake.Register(_clientId, "the-real-one");
        _fake.EchoSecretInErrors = true;

        var error = await Fails();

        Assert.Equal(PartnerAccessErrors.SecretInvalid, error.ErrorId);
        AssertNoSecret(error);
    }

    [Fact]
    public async Task Cancellation_is_cancellation_not_an_error()
    {
        _fake.Register(_clientId, Secret);
        _fake.Intercept = _ => FakeReply.Slow(TimeSpan.FromMinutes(5));
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Acquire(cancellation: cancel.Token));
    }

    private static void AssertNoSecret(Exception error)
    {
        var everything = string.Join("\n", Chain(error).SelectMany(e => new[] { e.Message, e.ToString(), (e as MdApiTokensException)?.RecommendedAction ?? "" }));
        foreach (var form in new[] { Secret, Uri.EscapeDataString(Secret), System.Net.WebUtility.UrlEncode(Secret) })
        {
            Assert.DoesNotContain(form, everything, StringComparison.OrdinalIgnoreCase);
        }

        Assert.Null(error.InnerException);
    }

    private static IEnumerable<Exception> Chain(Exception e)
    {
        for (Exception? x = e; x is not null; x = x.InnerException)
        {
            yield return x;
        }
    }

    public void Dispose() => _fake.Dispose();
}
