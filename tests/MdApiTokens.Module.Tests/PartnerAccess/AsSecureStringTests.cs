using System.Collections;
using System.Security;
using MdApiTokens.Testing.Defender;

namespace MdApiTokens.Module.Tests.PartnerAccess;

/// <summary>Get-PartnerAccessToken -AsSecureString: the token stays a SecureString and every cmdlet that takes a token takes it.</summary>
public class AsSecureStringTests : PartnerAccessTestBase
{
    [Fact]
    public async Task The_token_is_a_SecureString_that_pipes_into_Test_AccessToken_and_Get_DefenderIncident()
    {
        await using var api = await FakeDefenderApi.StartAsync();
        api.Incidents.Add(FakeDefenderApi.Incident(7));

        var token = GetToken(("AsSecureString", true)).Succeeded().Output.Single();
        Assert.IsType<SecureString>(token.Properties["AccessToken"].Value);
        Assert.DoesNotContain("eyJ", token.ToString());
        api.ExpectedToken = Fake.TokenRequests.Single().IssuedToken;

        var tested = Session.Run("$t | Test-AccessToken -RequiredRole Incident.Read.All -TenantId $tenant", new Hashtable { ["t"] = token, ["tenant"] = TenantId }).Succeeded();
        Assert.Equal(new object[] { true }, tested.Output.Select(o => o.BaseObject));

        var incidents = Session.Run("$t | Get-DefenderIncident -ApiUri $api", new Hashtable { ["t"] = token, ["api"] = api.BaseUri }).Succeeded();
        Assert.Equal(7L, incidents.Output.Single().Properties["IncidentId"].Value);
        Assert.Equal(TenantId, incidents.Output.Single().Properties["TenantId"].Value);
    }
}
