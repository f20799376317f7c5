using System.Collections;
using System.Management.Automation;
using System.Security.Cryptography.X509Certificates;
using MdApiTokens.Module.Tests.Infrastructure;
using MdApiTokens.Tests.Shared;

namespace MdApiTokens.Module.Tests.PartnerAccess;

public class GetPartnerAccessTokenTests : PartnerAccessTestBase
{
    [Fact]
    public void A_client_secret_gets_a_token_object_for_the_tenant()
    {
        var result = GetToken().Succeeded();

        var token = Assert.Single(result.Output);
        Assert.Equal("MdApiTokens.Core.PartnerAccess.PartnerAccessToken", token.BaseObject.GetType().FullName);
        var sent = Assert.Single(Fake.TokenRequests);
        Assert.Equal(sent.IssuedToken, token.Properties["AccessToken"].Value);
        Assert.Equal("Bearer", token.Properties["TokenType"].Value);
        Assert.Equal(TenantId, token.Properties["TenantId"].Value);
        Assert.Equal(ClientId, token.Properties["ClientId"].Value);
        Assert.Equal(new[] { "https://api.security.microsoft.com/.default" }, (string[])token.Properties["Scopes"].Value);
        Assert.IsType<DateTimeOffset>(token.Properties["ExpiresOn"].Value);
        Assert.Equal("Public", token.Properties["Cloud"].Value.ToString());
        Assert.Equal(new Uri(Fake.AuthorityHost, TenantId + "/"), token.Properties["Authority"].Value);
        Assert.Equal("client_credentials", sent.Field("grant_type"));
        Assert.Equal(ClientId, sent.Field("client_id"));
        Assert.Equal(SecretText, sent.Field("client_secret"));
        Assert.DoesNotContain((string)token.Properties["AccessToken"].Value, token.ToString());
        Assert.Empty(Fake.OtherRequests);
    }

    [Fact]
    public void A_PSCredential_carries_the_application_id_as_its_user_name()
    {
        var credential = new PSCredential(ClientId, Secure(SecretText));

        var result = GetToken(("ClientId", null), ("ClientSecret", null), ("Credential", credential)).Succeeded();

        Assert.Equal(ClientId, Assert.Single(result.Output).Properties["ClientId"].Value);
        Assert.Equal(SecretText, Assert.Single(Fake.TokenRequests).Field("client_secret"));
        GetToken(("ClientSecret", null), ("Credential", credential), ("ForceRefresh", true)).Succeeded();
    }

    [Fact]
    public void A_PSCredential_for_another_application_than_ClientId_is_refused()
    {
        var credential = new PSCredential(Guid.NewGuid().ToString(), Secure(SecretText));

        var result = GetToken(("ClientSecret", null), ("Credential", credential));

        result.SingleError("PartnerCredentialMismatch", ErrorCategory.InvalidArgument);
        Assert.Empty(Fake.TokenRequests);
    }

    [Fact]
    public void A_certificate_object_signs_an_assertion_the_fake_verifies()
    {
        using var certificate = TestCertificates.CreateClientCertificate();
        Fake.Register(ClientId, null, TestCertificates.PublicOnly(certificate));

        GetToken(("ClientSecret", null), ("Certificate", certificate)).Succeeded();

        var sent = Assert.Single(Fake.TokenRequests);
        Assert.True(sent.AssertionVerified);
        Assert.Null(sent.Field("client_secret"));
    }

    [Fact]
    public void A_thumbprint_finds_the_certificate_in_the_current_users_store()
    {
        using var certificate = TestCertificates.CreateClientCertificate("CN=MdApiTokens thumbprint test " + Guid.NewGuid().ToString("N"));
        Fake.Register(ClientId, null, TestCertificates.PublicOnly(certificate));
        using var store = new X509Store(StoreName.My, StoreLocation.CurrentUser);
        store.Open(OpenFlags.ReadWrite);
        store.Add(certificate);
        try
        {
            var spaced = string.Join(" ", Enumerable.Range(0, 20).Select(i => certificate.Thumbprint.Substring(i * 2, 2).ToLowerInvariant()));

            GetToken(("ClientSecret", null), ("CertificateThumbprint", spaced)).Succeeded();

            Assert.True(Assert.Single(Fake.TokenRequests).AssertionVerified);
            var completions = Session.Run("(TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches | ForEach-Object CompletionText",
                new Hashtable { ["line"] = "Get-PartnerAccessToken -CertificateThumbprint " + certificate.Thumbprint[..8] }).Succeeded();
            Assert.Contains(certificate.Thumbprint, completions.Output.Select(o => o.ToString()));
        }
        finally
        {
            store.Remove(certificate);
        }

        var gone = GetToken(("ClientSecret", null), ("CertificateThumbprint", certificate.Thumbprint));
        var error = gone.SingleError("PartnerCertificateNotFound", ErrorCategory.ObjectNotFound);
        Assert.Contains(certificate.Thumbprint, error.Exception.Message);
    }

    [Fact]
    public void A_PFX_file_works_with_and_without_a_password_and_by_relative_path()
    {
        using var certificate = TestCertificates.CreateClientCertificate();
        Fake.Register(ClientId, null, TestCertificates.PublicOnly(certificate));
        TestCertificates.WritePfx(certificate, Path.Combine(Folder, "app.pfx"), "pfx-pass");
        TestCertificates.WritePfx(certificate, Path.Combine(Folder, "open.pfx"), null);

        GetToken(("ClientSecret", null), ("CertificatePath", Path.Combine(Folder, "app.pfx")), ("CertificatePassword", Secure("pfx-pass"))).Succeeded();
        Script($"$ExecutionContext.SessionState.Path.SetLocation('{Folder}') | Out-Null; Get-PartnerAccessToken -TenantId $tenant -ClientId $app -CertificatePath ./open.pfx -AuthorityHost $authority -ForceRefresh").Succeeded();

        Assert.Equal(2, Fake.TokenRequests.Count(r => r.AssertionVerified));
        var wrong = GetToken(("ClientSecret", null), ("CertificatePath", Path.Combine(Folder, "app.pfx")), ("CertificatePassword", Secure("nope")));
        wrong.SingleError("PartnerCertificateInvalid", ErrorCategory.InvalidData);
        var missing = GetToken(("ClientSecret", null), ("CertificatePath", Path.Combine(Folder, "missing.pfx")));
        missing.SingleError("PartnerCertificateNotFound", ErrorCategory.ObjectNotFound);
    }

    [Fact]
    public void The_parameter_sets_are_one_per_credential()
    {
        var sets = Session.Run("(Get-Command Get-PartnerAccessToken).ParameterSets | ForEach-Object Name").Succeeded().Output.Select(o => o.ToString()).OrderBy(n => n);
        Assert.Equal(new[]
        {
            "Certificate", "CertificatePath", "CertificateThumbprint", "ClientAssertion", "ClientSecret", "Credential",
            "FederatedTokenFile", "ManagedIdentity", "ManagedIdentityFederated", "WorkloadIdentity",
        }, sets);

        var both = GetToken(("Certificate", TestCertificates.CreateClientCertificate()));
        Assert.StartsWith("AmbiguousParameterSet", Assert.Single(both.AllErrors).FullyQualifiedErrorId);
    }

    [Fact]
    public void A_second_call_within_the_lifetime_sends_no_request()
    {
        var first = GetToken().Succeeded().Output.Single();
        var second = GetToken(("Verbose", true)).Succeeded();

        Assert.Equal(1, Fake.TokenRequestCount);
        Assert.Equal(first.Properties["AccessToken"].Value, second.Output.Single().Properties["AccessToken"].Value);
        Assert.Contains(second.Verbose, v => v.Contains("from the in-process cache"));
    }

    [Fact]
    public void ForceRefresh_sends_a_request_every_time()
    {
        GetToken().Succeeded();
        GetToken(("ForceRefresh", true)).Succeeded();

        Assert.Equal(2, Fake.TokenRequestCount);
    }

    [Fact]
    public void Tenant_ids_piped_by_value_get_one_token_and_one_request_each()
    {
        var tenants = Enumerable.Range(0, 3).Select(_ => Guid.NewGuid().ToString()).ToArray();

        var result = Script("$tenants | Get-PartnerAccessToken -ClientId $app -ClientSecret $secret -AuthorityHost $authority", new Hashtable { ["tenants"] = tenants }).Succeeded();

        Assert.Equal(tenants, result.Output.Select(o => o.Properties["TenantId"].Value));
        Assert.Equal(tenants, Fake.TokenRequests.Select(r => r.Tenant));
    }

    [Fact]
    public void Customer_rows_pipe_in_by_property_name_and_one_failing_tenant_does_not_stop_the_others()
    {
        var good = new[] { Guid.NewGuid().ToString(), Guid.NewGuid().ToString() };
        var unknown = Guid.NewGuid().ToString();
        Fake.UnknownTenants[unknown] = true;

        var result = Script(
            "@([pscustomobject]@{ Customer = 'Contoso'; TenantId = $t[0] }, [pscustomobject]@{ Customer = 'Gone'; TenantId = $t[1] }, [pscustomobject]@{ Customer = 'Fabrikam'; TenantId = $t[2] }) | Get-PartnerAccessToken -ClientId $app -ClientSecret $secret -AuthorityHost $authority",
            new Hashtable { ["t"] = new[] { good[0], unknown, good[1] } });

        Assert.Null(result.Terminating);
        Assert.Equal(good, result.Output.Select(o => o.Properties["TenantId"].Value));
        var error = Assert.Single(result.Errors);
        Assert.Equal("PartnerTenantNotFound", error.FullyQualifiedErrorId.Split(',')[0]);
        Assert.Equal(unknown, error.TargetObject);
        Assert.Equal(3, Fake.TokenRequestCount);
    }

    [Fact]
    public void ErrorAction_Stop_makes_the_first_failure_terminating_for_runbooks()
    {
        Fake.UnknownTenants[TenantId] = true;

        var result = Script("try { Get-PartnerAccessToken -TenantId $tenant -ClientId $app -ClientSecret $secret -AuthorityHost $authority -ErrorAction Stop; 'went on' } catch { 'caught ' + $_.FullyQualifiedErrorId }").Succeeded();

        Assert.Equal(new object[] { "caught PartnerTenantNotFound,MdApiTokens.Commands.PartnerAccess.GetPartnerAccessTokenCommand" }, result.Output.Select(o => o.BaseObject));
    }

    [Fact]
    public void OutFile_writes_the_raw_token_readable_only_by_the_owner()
    {
        var path = Path.Combine(Folder, "Latest-token.txt");

        var token = (string)GetToken(("OutFile", path)).Succeeded().Output.Single().Properties["AccessToken"].Value;

        Assert.Equal(token, File.ReadAllText(path));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        }

        Script($"$ExecutionContext.SessionState.Path.SetLocation('{Folder}') | Out-Null; Get-PartnerAccessToken -TenantId $tenant -ClientId $app -ClientSecret $secret -AuthorityHost $authority -OutFile ./relative.txt").Succeeded();
        Assert.Equal(token, File.ReadAllText(Path.Combine(Folder, "relative.txt")));
    }

    [Fact]
    public void OutFile_with_several_tenants_warns_that_it_keeps_the_last_token()
    {
        var tenants = new[] { Guid.NewGuid().ToString(), Guid.NewGuid().ToString() };
        var path = Path.Combine(Folder, "token.txt");

        var result = Script("$tenants | Get-PartnerAccessToken -ClientId $app -ClientSecret $secret -AuthorityHost $authority -OutFile $path", new Hashtable { ["tenants"] = tenants, ["path"] = path }).Succeeded();

        Assert.Contains("overwritten for each tenant", Assert.Single(result.Warnings));
        Assert.Equal(result.Output.Last().Properties["AccessToken"].Value, File.ReadAllText(path));
    }

    [Fact]
    public void OutFile_in_a_missing_folder_is_an_error_but_the_token_is_still_returned()
    {
        var result = GetToken(("OutFile", Path.Combine(Folder, "no-such-folder", "t.txt")));

        result.SingleError("PartnerOutFileWriteFailed", ErrorCategory.WriteError);
        Assert.Single(result.Output);
    }

    [Fact]
    public void Scope_and_Cloud_decide_what_is_asked_for()
    {
        GetToken(("Cloud", "USGovHigh")).Succeeded();
        GetToken(("Scope", new[] { "https://api-gcc.security.microsoft.us/.default" }), ("TenantId", Guid.NewGuid().ToString())).Succeeded();

        Assert.Equal(new[] { "https://api-gov.security.microsoft.us/.default", "https://api-gcc.security.microsoft.us/.default" }, Fake.TokenRequests.Select(r => r.Field("scope")));
        var bad = GetToken(("Scope", new[] { "https://api.security.microsoft.com.default" }));
        var error = bad.SingleError("PartnerScopeInvalid", ErrorCategory.InvalidArgument);
        Assert.Contains("https://api.security.microsoft.com/.default", error.ErrorDetails.RecommendedAction);
    }

    [Fact]
    public void Resource_names_the_api_in_the_cloud_and_excludes_Scope()
    {
        GetToken(("Resource", "Endpoint")).Succeeded();
        GetToken(("Resource", "Graph"), ("Cloud", "USGovHigh"), ("TenantId", Guid.NewGuid().ToString())).Succeeded();
        GetToken(("Resource", "Defender"), ("Cloud", "USGov"), ("TenantId", Guid.NewGuid().ToString())).Succeeded();

        Assert.Equal(
            new[] { "https://api.securitycenter.microsoft.com/.default", "https://graph.microsoft.us/.default", "https://api-gcc.security.microsoft.us/.default" },
            Fake.TokenRequests.Select(r => r.Field("scope")));
        var both = GetToken(("Resource", "Graph"), ("Scope", new[] { "https://graph.microsoft.com/.default" }), ("TenantId", Guid.NewGuid().ToString()));
        both.SingleError("PartnerScopeInvalid", ErrorCategory.InvalidArgument);
        Assert.Equal(3, Fake.TokenRequests.Count);
    }

    [Fact]
    public void An_http_authority_host_is_refused_before_anything_is_sent()
    {
        var result = GetToken(("AuthorityHost", new Uri("http://127.0.0.1:" + Fake.AuthorityHost.Port)));

        var error = result.SingleError("PartnerAuthorityHostInvalid", ErrorCategory.InvalidArgument);
        Assert.NotNull(result.Terminating);
        Assert.Contains("https", error.Exception.Message);
        Assert.Empty(Fake.TokenRequests);
    }

    [Fact]
    public void A_bad_application_id_is_refused_and_not_echoed()
    {
        var result = GetToken(("ClientId", SecretText));

        var error = result.SingleError("PartnerClientIdInvalid", ErrorCategory.InvalidArgument);
        AssertNoSecret(Everything(result));
        Assert.Null(error.TargetObject);
    }

    [Fact]
    public void Cloud_and_RequiredRole_values_tab_complete()
    {
        List<string> Complete(string line) => Session.Run("(TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches | ForEach-Object CompletionText", new Hashtable { ["line"] = line })
            .Succeeded().Output.Select(o => o.ToString()!).ToList();

        Assert.Equal(new[] { "USGov", "USGovDoD", "USGovHigh" }, Complete("Get-PartnerAccessToken -Cloud USG").OrderBy(c => c));
        Assert.Equal(new[] { "Incident.Read.All", "Incident.ReadWrite.All" }, Complete("Test-AccessToken -RequiredRole Inc"));
        Assert.Contains("USGovHigh", Complete("Get-PartnerConsentLink -Cloud USGovH"));
    }
}
