using System.Collections;
using System.Management.Automation;
using MdApiTokens.Module.Tests.Infrastructure;

namespace MdApiTokens.Module.Tests;

public class CompletionTests : ModuleTestBase
{
    [Fact]
    public void Token_names_ids_users_and_enum_values_tab_complete()
    {
        NewToken("siem-eu");
        NewToken("siem us");
        var id = (string)GetTokens(("Name", new[] { "siem-eu" })).Single().Properties["Id"].Value;

        Assert.Equal(new[] { "'siem us'", "siem-eu" }, Complete($"Get-ApiToken -StorePath '{StorePath}' -Name si"));
        Assert.Equal(new[] { id }, Complete($"Revoke-ApiToken -StorePath '{StorePath}' -Id {id[..6]}"));
        Assert.Equal(new[] { "alice" }, Complete($"Grant-ApiTokenRole -StorePath '{StorePath}' -User al"));
        Assert.Contains("DismissAlerts", Complete($"New-ApiToken -Name x -Permission Dis"));
        Assert.Equal(new[] { "Inactive" }, Complete("Get-ApiToken -Status Ina"));
    }

    [Fact]
    public void Completion_without_a_store_offers_nothing_and_raises_nothing()
    {
        Assert.Empty(Complete($"Get-ApiToken -StorePath '{Path.Combine(Folder, "none")}' -Name x"));
    }

    private List<string> Complete(string line)
    {
        var result = Session.Run("foreach ($m in (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches) { $m.CompletionText }", new Hashtable { ["line"] = line }).Succeeded();
        return result.Output.Select(o => (string)o.BaseObject).ToList();
    }
}
