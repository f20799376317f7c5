using System.Security;
using MdApiTokens.Module.Tests.Infrastructure;
using MdApiTokens.Testing.Defender;
using MdApiTokens.Tests.Shared;

namespace MdApiTokens.Module.Tests.PartnerAccess;

public sealed class AsSecureStringTests : PartnerAccessTestBase, IAsyncLifetime
{
    private readonly CapturingHost _host;
    private FakeDefenderApi _defender = null!;

    public AsSecureStringTests()
        : this(new CapturingHost())
    {
    }

    private AsSecureStringTests(CapturingHost host)
        : base(host) => _host = host;

    public async Task InitializeAsync() => _defender = await FakeDefenderApi.StartAsync();

    public async Task DisposeAsync() => await _defender.DisposeAsync();

    [Fact]
    public void AsSecureString_outputs_the_token_as_a_SecureString_and_nowhere_as_text()
    {
        var result = GetToken(("AsSecureString", true), ("Verbose", true)).Succeeded();

        var token = Assert.Single(result.Output);
        Assert.Equal("MdApiTokens.Core.PartnerAccess.SecurePartnerAccessToken", token.BaseObject.GetType().FullName);
        var secure = Assert.IsType<SecureString>(token.Properties["AccessToken"].Value);
        var issued = Assert.Single(Fake.TokenRequests).IssuedToken!;
        Assert.Equal(issued, new System.Net.NetworkCredential("", secure).Password);
        Assert.Equal(TenantId, token.Properties["TenantId"].Value);
        Session.Run("$token | Out-Host; \"$token\" | Out-Host", new System.Collections.Hashtable { ["token"] = token }).Succeeded();
        Assert.Equal(new[] { "TenantId", "ExpiresOn", "Resource" }, Views.ConsoleText.Table(_host.Text, "ExpiresOn").Headers);
        Assert.Contains("Bearer token for app", _host.Text, StringComparison.Ordinal);
        AssertNoSecret(Everything(result) + _host.Text, issued);
    }

    [Fact]
    public void AsSecureString_output_pipes_into_Test_AccessToken()
    {
        var result = Script("Get-PartnerAccessToken $tenant $app -ClientSecret $secret -AuthorityHost $authority -AsSecureString | Test-AccessToken -TenantId $tenant -RequiredRole Incident.Read.All -SkipSignatureCheck").Succeeded();

        Assert.True((bool)Assert.Single(result.Output).BaseObject);
    }

    [Fact]
    public void AsSecureString_output_pipes_into_Get_DefenderIncident()
    {
        _defender.AddIncidents(2);

        var result = Script("Get-PartnerAccessToken $tenant $app -ClientSecret $secret -AuthorityHost $authority -AsSecureString | Get-DefenderIncident -ApiUri $api",
            new System.Collections.Hashtable { ["api"] = _defender.BaseUri }).Succeeded();

        Assert.Equal(2, result.Output.Count);
        var issued = Assert.Single(Fake.TokenRequests).IssuedToken!;
        Assert.All(_defender.Requests, r => Assert.Equal("Bearer " + issued, r.Authorization));
        Assert.All(result.Output, o => Assert.Equal(TenantId, o.Properties["TenantId"].Value));
    }
}
