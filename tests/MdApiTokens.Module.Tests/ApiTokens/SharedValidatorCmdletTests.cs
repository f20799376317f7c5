using MdApiTokens.Module.Tests.Infrastructure;

namespace MdApiTokens.Module.Tests.ApiTokens;

/// <summary>Test-ApiToken keeps one validator per store path for the module's life; each call still sees the store, the clock and the caller as they are now.</summary>
public class SharedValidatorCmdletTests : ModuleTestBase
{
    [Fact]
    public void Test_ApiToken_sees_the_current_clock_a_revoke_and_the_current_caller_on_each_call()
    {
        var expiring = NewToken("expiring", ("ExpiresIn", TimeSpan.FromDays(1)));
        var leaked = NewToken("leaked");
        Assert.True(TestToken((string)expiring.Token));
        Assert.True(TestToken((string)leaked.Token));

        Session.Now = Start.AddDays(2);
        Assert.Equal("Expired", Detailed((string)expiring.Token));

        Cmd("Revoke-ApiToken", ("Name", new[] { "leaked" }), ("Confirm", false)).Succeeded();
        Session.Caller = "mallory";
        Assert.Equal("Revoked", Detailed((string)leaked.Token));

        Session.Caller = "alice";
        var presented = Cmd("Get-ApiTokenAuditLog", ("Action", new[] { "RevokedTokenPresented" })).Succeeded().Output;
        Assert.Equal("mallory", Assert.Single(presented).Properties["Actor"].Value);
    }

    private string Detailed(string token) =>
        Cmd("Test-ApiToken", ("Token", token), ("Detailed", true)).Succeeded().Output.Single().Properties["Reason"].Value.ToString()!;
}
