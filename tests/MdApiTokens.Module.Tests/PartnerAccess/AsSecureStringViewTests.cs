using System.Security;
using MdApiTokens.Module.Tests.Infrastructure;

namespace MdApiTokens.Module.Tests.PartnerAccess;

/// <summary>What a person sees of -AsSecureString's output: the token's table, never the token.</summary>
public sealed class AsSecureStringViewTests : PartnerAccessTestBase
{
    private readonly CapturingHost _host;

    public AsSecureStringViewTests()
        : this(new CapturingHost())
    {
    }

    private AsSecureStringViewTests(CapturingHost host)
        : base(host) => _host = host;

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
}
