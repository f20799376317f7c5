using System.Management.Automation;
using System.Security;
using System.Security.Cryptography;
using MdApiTokens.Module.Tests.Infrastructure;
using MdApiTokens.Tests.Shared;

namespace MdApiTokens.Module.Tests.PartnerAccess;

public sealed class FederatedAssertionTests : PartnerAccessTestBase
{
    private const string Issuer = "https://token.actions.githubusercontent.com";
    private const string Subject = "repo:contoso/soc-runbooks:ref:refs/heads/main";
    private readonly RSA _providerKey = RSA.Create(2048);

    public FederatedAssertionTests()
    {
        var application = Fake.Register(ClientId);
        application.FederatedCredentials.Add(new FakeFederatedCredential(Issuer, Subject));
        Fake.TrustedIssuers[Issuer] = _providerKey;
    }

    /// <summary>An assertion as a workload identity provider signs it.</summary>
    public static string Assertion(RSA key, string issuer, string subject, TimeSpan? lifetime = null)
    {
        var now = DateTimeOffset.UtcNow;
        return TestJwt.Create(key, new Dictionary<string, object?>
        {
            ["iss"] = issuer,
            ["sub"] = subject,
            ["aud"] = "api://AzureADTokenExchange",
            ["iat"] = now.AddMinutes(-1).ToUnixTimeSeconds(),
            ["exp"] = now.Add(lifetime ?? TimeSpan.FromMinutes(10)).ToUnixTimeSeconds(),
            ["jti"] = Guid.NewGuid().ToString(),
        }, "provider-key");
    }

    private string Assertion(TimeSpan? lifetime = null) => Assertion(_providerKey, Issuer, Subject, lifetime);

    private RunResult WithAssertion(object assertion, params (string Name, object? Value)[] parameters) =>
        GetToken(new (string, object?)[] { ("ClientSecret", null), ("ClientAssertion", assertion) }.Concat(parameters).ToArray());

    [Fact]
    public void ClientAssertion_as_a_string_is_sent_as_the_client_assertion()
    {
        var assertion = Assertion();

        var result = WithAssertion(assertion, ("Verbose", true)).Succeeded();

        var sent = Assert.Single(Fake.TokenRequests);
        Assert.Equal(assertion, sent.Field("client_assertion"));
        Assert.True(sent.AssertionVerified);
        Assert.Null(sent.Field("client_secret"));
        Assert.Equal(TenantId, Assert.Single(result.Output).Properties["TenantId"].Value);
        AssertNoSecret(Everything(result), assertion);
    }

    [Fact]
    public void ClientAssertion_as_a_SecureString_is_sent_as_the_client_assertion()
    {
        var assertion = Assertion();

        WithAssertion(Secure(assertion)).Succeeded();

        Assert.Equal(assertion, Assert.Single(Fake.TokenRequests).Field("client_assertion"));
    }

    [Theory]
    [InlineData(42)]
    [InlineData("")]
    [InlineData("not-a-jwt")]
    [InlineData("eyJhbGciOiJub25lIn0.eyJpc3MiOiJ4In0.")]
    public void A_client_assertion_that_is_not_a_signed_JWT_is_refused_before_any_request(object assertion)
    {
        var result = WithAssertion(assertion);

        result.SingleError("PartnerClientAssertionInvalid", ErrorCategory.InvalidArgument);
        Assert.Empty(Fake.TokenRequests);
        if (assertion is string text && text.Length > 0)
        {
            AssertNoSecret(Everything(result), text);
        }
    }

    [Fact]
    public void An_expired_assertion_is_reported_as_expired_without_showing_it()
    {
        var assertion = Assertion(TimeSpan.FromMinutes(-5));

        var result = WithAssertion(assertion);

        var error = result.SingleError("PartnerClientAssertionExpired", ErrorCategory.AuthenticationError);
        Assert.Contains("AADSTS700024", error.Exception.Message, StringComparison.Ordinal);
        AssertNoSecret(Everything(result), assertion);
    }

    [Fact]
    public void An_assertion_from_an_issuer_the_application_does_not_trust_names_the_issuer()
    {
        using var other = RSA.Create(2048);
        var assertion = Assertion(other, "https://gitlab.example.com", Subject);

        var error = WithAssertion(assertion).SingleError("PartnerFederatedCredentialMismatch", ErrorCategory.AuthenticationError);

        Assert.Contains("AADSTS700211", error.Exception.Message, StringComparison.Ordinal);
        Assert.Contains("issuer https://gitlab.example.com", error.Exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FederatedTokenFile_sends_the_files_assertion_and_reads_it_again_for_a_new_token()
    {
        var file = Path.Combine(Folder, "token");
        var first = Assertion();
        File.WriteAllText(file, first + "\n");

        GetToken(("ClientSecret", null), ("FederatedTokenFile", file)).Succeeded();
        var rotated = Assertion();
        File.WriteAllText(file, rotated);
        var cached = GetToken(("ClientSecret", null), ("FederatedTokenFile", file), ("Verbose", true)).Succeeded();
        GetToken(("ClientSecret", null), ("FederatedTokenFile", file), ("ForceRefresh", true)).Succeeded();

        Assert.Equal(new[] { first, rotated }, Fake.TokenRequests.Select(r => r.Field("client_assertion")));
        Assert.Contains(cached.Verbose, v => v.Contains("in-process cache", StringComparison.Ordinal));
    }

    [Fact]
    public void A_missing_token_file_is_reported_before_any_request()
    {
        var result = GetToken(("ClientSecret", null), ("FederatedTokenFile", Path.Combine(Folder, "absent")));

        result.SingleError("PartnerFederatedTokenFileNotFound", ErrorCategory.ObjectNotFound);
        Assert.Empty(Fake.TokenRequests);
    }

    [Fact]
    public void A_folder_given_as_the_token_file_is_reported_as_a_folder()
    {
        var result = GetToken(("ClientSecret", null), ("FederatedTokenFile", Folder));

        var error = result.SingleError("PartnerFederatedTokenFileInvalid", ErrorCategory.InvalidArgument);
        Assert.Contains("folder", error.Exception.Message, StringComparison.Ordinal);
        Assert.Empty(Fake.TokenRequests);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   \n")]
    [InlineData("a.b")]
    public void An_empty_or_malformed_token_file_is_reported_before_any_request(string content)
    {
        var file = Path.Combine(Folder, "token");
        File.WriteAllText(file, content);

        var result = GetToken(("ClientSecret", null), ("FederatedTokenFile", file));

        result.SingleError("PartnerFederatedTokenFileInvalid", ErrorCategory.InvalidData);
        Assert.Empty(Fake.TokenRequests);
    }

    [Fact]
    public void A_token_file_that_disappears_fails_that_tenant_only()
    {
        var file = Path.Combine(Folder, "token");
        File.WriteAllText(file, Assertion());
        var result = Script("$tenant, $second | ForEach-Object { if ($_ -eq $second) { [System.IO.File]::Delete($file) } ; $_ } | Get-PartnerAccessToken -ClientId $app -FederatedTokenFile $file -AuthorityHost $authority -ForceRefresh",
            new System.Collections.Hashtable { ["second"] = Guid.NewGuid().ToString(), ["file"] = file });

        Assert.Single(result.Output);
        result.SingleError("PartnerFederatedTokenFileNotFound", ErrorCategory.ObjectNotFound);
    }

    [Fact]
    public void ClientId_and_TenantId_without_a_credential_never_fall_back_to_a_managed_identity()
    {
        var result = GetToken(("ClientSecret", null));

        Assert.Contains(result.AllErrors, e => e.FullyQualifiedErrorId.StartsWith("MissingMandatoryParameter", StringComparison.Ordinal) || e.FullyQualifiedErrorId.StartsWith("AmbiguousParameterSet", StringComparison.Ordinal));
        Assert.Empty(Fake.TokenRequests);
    }

    public override void Dispose()
    {
        _providerKey.Dispose();
        base.Dispose();
    }
}
