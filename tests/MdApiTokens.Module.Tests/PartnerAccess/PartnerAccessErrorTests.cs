using System.Collections;
using System.Diagnostics;
using System.Management.Automation;
using MdApiTokens.Module.Tests.Infrastructure;
using MdApiTokens.Tests.Shared;

namespace MdApiTokens.Module.Tests.PartnerAccess;

/// <summary>What the identity platform refuses, as a person at the console or a runbook's log sees it.</summary>
public class PartnerAccessErrorTests : PartnerAccessTestBase
{
    private readonly CapturingHost _host;

    public PartnerAccessErrorTests()
        : this(new CapturingHost())
    {
    }

    private PartnerAccessErrorTests(CapturingHost host)
        : base(host)
    {
        _host = host;
    }

    [Fact]
    public void Missing_consent_is_PermissionDenied_with_the_consent_link_for_that_tenant()
    {
        Fake.Register(ClientId, SecretText).ConsentedTenants = new HashSet<string>();

        var result = GetToken();

        var error = result.SingleError("PartnerConsentMissing", ErrorCategory.PermissionDenied);
        var link = $"{Fake.AuthorityHost}{TenantId}/oauth2/authorize?prompt=consent&client_id={ClientId}&response_type=code&sso_reload=true";
        Assert.Contains(link, error.Exception.Message);
        Assert.Contains(link, error.ErrorDetails.RecommendedAction);
        Assert.Contains("AADSTS700016", error.Exception.Message);
        Assert.Equal(TenantId, error.TargetObject);
        var exception = (dynamic)error.Exception;
        Assert.Equal("AADSTS700016", (string)exception.AadstsCode);
        Assert.Equal(new Uri(link), (Uri)exception.ConsentLink);
    }

    [Theory]
    [InlineData("wrong-secret", false, "PartnerSecretInvalid", ErrorCategory.AuthenticationError, "AADSTS7000215")]
    [InlineData(SecretText, true, "PartnerSecretExpired", ErrorCategory.AuthenticationError, "AADSTS7000222")]
    public void Secret_problems_keep_their_AADSTS_code(string sent, bool expired, string errorId, ErrorCategory category, string code)
    {
        Fake.Register(ClientId, SecretText).SecretExpired = expired;

        var result = GetToken(("ClientSecret", Secure(sent)));

        var error = result.SingleError(errorId, category);
        Assert.Contains(code, error.Exception.Message);
        Assert.Equal(code, (string)((dynamic)error.Exception).AadstsCode);
        Assert.False(string.IsNullOrEmpty(error.ErrorDetails.RecommendedAction));
    }

    [Fact]
    public void An_unknown_tenant_is_ObjectNotFound()
    {
        Fake.UnknownTenants[TenantId] = true;

        var error = GetToken().SingleError("PartnerTenantNotFound", ErrorCategory.ObjectNotFound);

        Assert.Contains("AADSTS90002", error.Exception.Message);
    }

    [Fact]
    public void A_malformed_tenant_is_refused_locally_as_InvalidArgument()
    {
        var result = GetToken(("TenantId", "common"));

        result.SingleError("PartnerTenantIdInvalid", ErrorCategory.InvalidArgument);
        Assert.Empty(Fake.TokenRequests);
    }

    [Fact]
    public void An_unregistered_certificate_is_a_certificate_error()
    {
        using var registered = TestCertificates.CreateClientCertificate();
        using var other = TestCertificates.CreateClientCertificate("CN=not registered");
        Fake.Register(ClientId, null, TestCertificates.PublicOnly(registered));

        var error = GetToken(("ClientSecret", null), ("Certificate", other)).SingleError("PartnerCertificateInvalid", ErrorCategory.AuthenticationError);

        Assert.Contains("AADSTS700027", error.Exception.Message);
    }

    [Fact]
    public void A_slow_platform_times_out_with_OperationTimeout()
    {
        Fake.Intercept = _ => FakeReply.Slow(TimeSpan.FromMinutes(5));
        Session.SetOverride("PartnerTokenTimeout", TimeSpan.FromMilliseconds(400));

        var result = GetToken();

        var error = result.SingleError("PartnerTokenRequestTimeout", ErrorCategory.OperationTimeout);
        Assert.Contains("0.4 seconds", error.Exception.Message);
    }

    [Fact]
    public void A_reset_connection_is_a_ConnectionError()
    {
        Fake.Intercept = _ => FakeReply.Abort();

        GetToken().SingleError("PartnerAuthorityUnreachable", ErrorCategory.ConnectionError);
    }

    [Fact]
    public void A_garbled_answer_is_a_ProtocolError()
    {
        Fake.Intercept = _ => FakeReply.Raw(200, "<html>proxy login</html>");

        GetToken().SingleError("PartnerTokenResponseInvalid", ErrorCategory.ProtocolError);
    }

    [Fact]
    public void Stopping_the_pipeline_cancels_the_request_in_flight()
    {
        Fake.Intercept = _ => FakeReply.Slow(TimeSpan.FromMinutes(5));
        using var ps = PowerShell.Create();
        ps.Runspace = Session.Runspace;
        ps.AddCommand("Get-PartnerAccessToken")
            .AddParameter("TenantId", TenantId).AddParameter("ClientId", ClientId).AddParameter("ClientSecret", Secure(SecretText)).AddParameter("AuthorityHost", Fake.AuthorityHost);
        var running = ps.BeginInvoke();
        var deadline = Stopwatch.StartNew();
        while (Fake.TokenRequestCount == 0 && deadline.Elapsed < TimeSpan.FromSeconds(20))
        {
            Thread.Sleep(20);
        }

        var watch = Stopwatch.StartNew();
        ps.Stop();

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"Stop took {watch.Elapsed}");
        Assert.Equal(PSInvocationState.Stopped, ps.InvocationStateInfo.State);
        Assert.ThrowsAny<PipelineStoppedException>(() => ps.EndInvoke(running));
    }

    [Fact]
    public void The_secret_never_appears_in_any_stream_the_console_or_an_error_even_when_the_server_echoes_it()
    {
        Fake.EchoSecretInErrors = true;
        Fake.Intercept = record => record.Tenant == "echo.example.com"
            ? FakeReply.Aadsts(400, "invalid_request", 9002313, $"Invalid request; received client_secret={record.Field("client_secret")}")
            : null;
        Fake.Register(ClientId, "the-registered-one");
        var unknown = Guid.NewGuid().ToString();
        Fake.UnknownTenants[unknown] = true;

        var result = Script(
            "$VerbosePreference = 'Continue'; $DebugPreference = 'Continue'; @($tenant, 'echo.example.com', $unknown, 'common') | Get-PartnerAccessToken -ClientId $app -ClientSecret $secret -AuthorityHost $authority -OutFile $out -Verbose 2>&1 | Out-Host; @($Error) | ForEach-Object { $_ | Out-Host; $_.FullyQualifiedErrorId; $_.Exception.ToString(); $_.ErrorDetails.RecommendedAction; $_.InvocationInfo.Line } | Out-Host",
            new Hashtable { ["unknown"] = unknown, ["out"] = Path.Combine(Folder, "t.txt") });

        var text = _host.Text + "\n" + Everything(result);
        Assert.Contains("PartnerSecretInvalid", text);
        Assert.Contains("PartnerTenantNotFound", text);
        Assert.Contains("PartnerTokenRequestFailed", text);
        Assert.Contains("PartnerTenantIdInvalid", text);
        Assert.Contains("VERBOSE:", text);
        AssertNoSecret(text);
        Assert.Contains("***", text);
    }

    [Fact]
    public void The_secret_never_appears_when_a_token_is_issued_and_shown()
    {
        var result = Script("Get-PartnerAccessToken -TenantId $tenant -ClientId $app -ClientSecret $secret -AuthorityHost $authority -Verbose | Out-Host; Get-PartnerAccessToken -TenantId $tenant -ClientId $app -ClientSecret $secret -AuthorityHost $authority -Verbose 4>&1 | Out-Host").Succeeded();

        AssertNoSecret(_host.Text + Everything(result));
        Assert.Contains(TenantId, _host.Text);
    }
}
