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
        Assert.Contains("api.security.microsoft.com", text);
        Assert.Contains("Bearer token for app", text);
        Assert.DoesNotContain(token, text);
        Assert.DoesNotContain(token[..40], text);
    }

    [Theory]
    [InlineData(80)]
    [InlineData(120)]
    public void A_partner_token_table_fits_with_the_whole_tenant_expiry_and_resource(int width)
    {
        _host.Width = width;
        Script("Get-PartnerAccessToken -TenantId $tenant -ClientId $app -ClientSecret $secret -AuthorityHost $authority | Out-Host").Succeeded();

        var text = _host.Text;
        var table = Views.ConsoleText.Table(text, "ExpiresOn");
        Assert.Equal(new[] { "TenantId", "ExpiresOn", "Resource" }, table.Headers);
        var row = Assert.Single(table.Rows);
        Assert.Equal(TenantId, row["TenantId"]);
        Assert.Matches(@"^\d{2} [A-Z][a-z]{2} \d{2}:\d{2}$", row["ExpiresOn"]);
        Assert.Equal("api.security.microsoft.com", row["Resource"]);
        Views.ConsoleText.AssertFits(text, width);
    }

    [Theory]
    [InlineData(80)]
    [InlineData(120)]
    public void A_consent_link_shows_every_item_and_the_whole_link_at_any_width(int width)
    {
        _host.Width = width;
        Script("Get-PartnerConsentLink -ClientId $app -TenantId $tenant | Out-Host").Succeeded();

        var text = _host.Text;
        var item = Assert.Single(Views.ConsoleText.Lists(text));
        Assert.Equal(new[] { "ClientId", "TenantId", "Cloud", "Uri" }, item.Keys);
        Assert.Equal(ClientId, item["ClientId"]);
        Assert.Equal(TenantId, item["TenantId"]);
        Assert.Equal($"https://login.microsoftonline.com/{TenantId}/oauth2/authorize?prompt=consent&client_id={ClientId}&response_type=code&sso_reload=true", Views.ConsoleText.Squash(item["Uri"]));
        Views.ConsoleText.AssertFits(text, width);
    }

    [Fact]
    public void A_consent_link_shows_the_whole_link()
    {
        Script("Get-PartnerConsentLink -ClientId $app -TenantId $tenant | Out-Host").Succeeded();

        Assert.Contains($"https://login.microsoftonline.com/{TenantId}/oauth2/authorize?prompt=consent&client_id={ClientId}&response_type=code&sso_reload=true", _host.Text);
    }

    [Theory]
    [InlineData(80)]
    [InlineData(120)]
    public void A_detailed_check_prints_no_empty_line_for_claims_a_token_does_not_have(int width)
    {
        using var key = System.Security.Cryptography.RSA.Create(2048);
        var token = TestJwt.Create(key, TestJwt.AppOnlyClaims(TenantId, ClientId, Start.AddMinutes(-5), TimeSpan.FromHours(1), "Incident.Read.All"));
        _host.Width = width;

        Script("Test-AccessToken -AccessToken $token -Detailed -SkipSignatureCheck | Out-Host; Test-AccessToken -AccessToken 'not-a-jwt' -Detailed | Out-Host; (Test-AccessToken -AccessToken $token -Detailed -SkipSignatureCheck).Checks | Out-Host", new Hashtable { ["token"] = token }).Succeeded();

        var text = _host.Text;
        var lists = Views.ConsoleText.Lists(text.Substring(0, text.IndexOf("Check ", StringComparison.Ordinal)));
        Assert.Equal(2, lists.Count);
        Assert.False(lists[0].ContainsKey("Problems"));
        Assert.Equal(TenantId, lists[0]["TenantId"]);
        Assert.Equal($"https://sts.windows.net/{TenantId}/", Views.ConsoleText.Squash(lists[0]["Issuer"]));
        Assert.Empty(lists[1].Keys.Intersect(new[] { "TenantId", "AppId", "Roles", "Audience", "Issuer", "Version", "NotBefore", "ExpiresOn" }));
        Assert.StartsWith("Format:", lists[1]["Problems"]);
        var detail = (string)Script("((Test-AccessToken -AccessToken $token -Detailed -SkipSignatureCheck).Checks | Where-Object Check -eq Signature).Detail", new Hashtable { ["token"] = token }).Succeeded().Output.Single().BaseObject;
        var checks = Views.ConsoleText.Table(text, "Outcome");
        Assert.Equal(Views.ConsoleText.Squash(detail), Views.ConsoleText.Squash(checks.Row("Check", "Signature")["Detail"]));
        Views.ConsoleText.AssertFits(text, width);
    }

    [Fact]
    public void A_detailed_check_shows_what_failed_and_why_and_the_claims()
    {
        using var key = System.Security.Cryptography.RSA.Create(2048);
        var token = TestJwt.Create(key, TestJwt.AppOnlyClaims(TenantId, ClientId, Start.AddMinutes(-5), TimeSpan.FromHours(1), "Incident.Read.All"));

        Script("Test-AccessToken -AccessToken $token -RequiredRole Incident.ReadWrite.All -Detailed | Out-Host; (Test-AccessToken -AccessToken $token -Detailed -SkipSignatureCheck).Checks | Out-Host", new Hashtable { ["token"] = token }).Succeeded();

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
