using System.Collections;
using MdApiTokens.Module.Tests.Infrastructure;
using MdApiTokens.Tests.Shared;

namespace MdApiTokens.Module.Tests.PartnerAccess;

/// <summary>What a person sees at the console for partner tokens, consent links and token checks.</summary>
public class PartnerAccessViewTests : PartnerAccessTestBase
{
    private readonly CapturingHost _host;

    public PartnerAccessViewTests()
        : this(new CapturingHost())
    {
    }

    private PartnerAccessViewTests(CapturingHost host)
        : base(host) => _host = host;

    [Fact]
    public void A_partner_token_shows_tenant_client_expiry_and_scopes_but_never_the_token()
    {
        Script("$t = Get-PartnerAccessToken -TenantId $tenant -ClientId $app -ClientSecret $secret -AuthorityHost $authority; $t | Out-Host; \"$t\" | Out-Host").Succeeded();

        var token = Assert.Single(Fake.TokenRequests).IssuedToken!;
        var text = _host.Text;
        Assert.Contains("TenantId", text);
        Assert.Contains("ExpiresOn", text);
        Assert.Contains(TenantId, text);
        Assert.Contains(ClientId, text);
        Assert.Contains("https://api.security.microsoft.com/.default", text);
        Assert.Contains("Bearer token for app", text);
        Assert.DoesNotContain(token, text);
        Assert.DoesNotContain(token[..40], text);
    }

    [Fact]
    public void A_consent_link_shows_the_whole_link()
    {
        Script("Get-PartnerConsentLink -ClientId $app -TenantId $tenant | Out-Host").Succeeded();

        Assert.Contains($"https://login.microsoftonline.com/{TenantId}/oauth2/authorize?prompt=consent&client_id={ClientId}&response_type=code&sso_reload=true", _host.Text);
    }

    [Fact]
    public void A_detailed_check_shows_what_failed_and_why_and_the_claims()
    {
        using var key = System.Security.Cryptography.RSA.Create(2048);
        var token = TestJwt.Create(key, TestJwt.AppOnlyClaims(TenantId, ClientId, Start.AddMinutes(-5), TimeSpan.FromHours(1), "Incident.Read.All"));

        Script("Test-AccessToken -AccessToken $token -RequiredRole Incident.ReadWrite.All -Detailed | Out-Host; (Test-AccessToken -AccessToken $token -Detailed).Checks | Out-Host", new Hashtable { ["token"] = token }).Succeeded();

        var text = _host.Text;
        Assert.Matches(@"IsValid\s*:\s*False", text);
        Assert.Matches(@"FailedChecks\s*:\s*Roles", text);
        Assert.Contains("Missing role Incident.ReadWrite.All", text);
        Assert.Contains(TenantId, text);
        Assert.Contains("Incident.Read.All", text);
        Assert.Contains("Signature", text);
        Assert.Contains("Skipped", text);
        Assert.DoesNotContain(token.Split('.')[2][..20], text);
    }
}
