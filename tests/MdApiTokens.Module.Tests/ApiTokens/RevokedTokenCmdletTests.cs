using System.Management.Automation;
using MdApiTokens.Module.Tests.Infrastructure;

namespace MdApiTokens.Module.Tests.ApiTokens;

public class RevokedTokenCmdletTests : ModuleTestBase
{
    [Fact]
    public void Test_ApiToken_Detailed_says_Revoked_and_Get_ApiToken_lists_it_only_with_IncludeRevoked()
    {
        var issued = NewToken("leaked");
        NewToken("kept");
        Cmd("Revoke-ApiToken", ("Name", new[] { "leaked" }), ("Confirm", false)).Succeeded();

        var result = Cmd("Test-ApiToken", ("Token", (string)issued.Token), ("Detailed", true)).Succeeded().Output.Single();
        Assert.Equal("Revoked", result.Properties["Reason"].Value.ToString());
        Assert.False((bool)result.Properties["IsValid"].Value);

        Assert.Equal(new[] { "kept" }, GetTokens().Select(t => t.Properties["Name"].Value));
        var all = GetTokens(("IncludeRevoked", true));
        var revoked = Assert.Single(all, t => Status(t) == "Revoked");
        Assert.Equal(("leaked", "alice"), ((string)revoked.Properties["Name"].Value, (string)revoked.Properties["RevokedBy"].Value));
        Assert.Single(GetTokens(("Name", new[] { "leaked" }), ("IncludeRevoked", true)));
        Cmd("Get-ApiToken", ("Name", new[] { "leaked" })).SingleError("ApiTokenNotFound", ErrorCategory.ObjectNotFound);

        var presented = Cmd("Get-ApiTokenAuditLog", ("Action", new[] { "RevokedTokenPresented" })).Succeeded().Output;
        Assert.Equal("leaked", Assert.Single(presented).Properties["TokenName"].Value);
    }

    [Fact]
    public void Get_ApiTokenAuditLog_AfterSequence_resumes_exactly_after_the_last_entry_read()
    {
        NewToken("one");
        var first = Cmd("Get-ApiTokenAuditLog").Succeeded().Output;
        var last = (long)first[^1].Properties["Sequence"].Value;
        NewToken("two");

        var next = Cmd("Get-ApiTokenAuditLog", ("AfterSequence", last)).Succeeded().Output;

        Assert.Equal(last + 1, (long)Assert.Single(next).Properties["Sequence"].Value);
        Assert.Equal("two", next[0].Properties["TokenName"].Value);
    }
}
