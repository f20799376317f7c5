using System.Collections;
using MdApiTokens.Module.Tests.Infrastructure;

namespace MdApiTokens.Module.Tests;

/// <summary>What a person sees at the console: the default views, rendered by the engine into a capturing host.</summary>
public class FormatViewTests : ModuleTestBase
{
    private readonly CapturingHost _host = new();
    private readonly PowerShellSession _console;

    public FormatViewTests()
    {
        _console = new PowerShellSession(_host) { Now = Start, Caller = "alice" };
    }

    [Fact]
    public void Get_ApiToken_shows_a_table_without_the_value_or_its_hash()
    {
        var token = (string)((dynamic)_console.Command("New-ApiToken", P(("Name", "siem-connector"))).Succeeded().Output.Single()).Token;
        _host.Clear();

        _console.Run("Get-ApiToken -StorePath $store | Out-Host", new Hashtable { ["store"] = StorePath }).Succeeded();

        var text = _host.Text;
        Assert.Contains("Name", text);
        Assert.Contains("Status", text);
        Assert.Contains("siem-connector", text);
        Assert.Contains("Generated", text);
        Assert.Contains("never", text);
        Assert.DoesNotContain(token, text);
        Assert.DoesNotContain(MdApiTokensHash(token), text);
    }

    [Fact]
    public void New_ApiToken_shows_the_value_once_with_a_note_to_copy_it()
    {
        _console.Run("New-ApiToken -Name shown-once -StorePath $store | Out-Host", new Hashtable { ["store"] = StorePath }).Succeeded();

        Assert.Matches(@"Token\s*:\s*mdat_[0-9A-Za-z]{49}", _host.Text);
        Assert.Contains("cannot be shown again", _host.Text);
    }

    [Fact]
    public void Test_ApiToken_Detailed_and_role_and_store_views_render()
    {
        _console.Run(
            "$t = New-ApiToken -Name v -StorePath $store; Test-ApiToken -Token $t.Token -StorePath $store -Detailed | Out-Host; Get-ApiTokenRole -StorePath $store | Out-Host; Get-ApiTokenStore -StorePath $store | Out-Host; Get-ApiTokenAuditLog -StorePath $store | Out-Host",
            new Hashtable { ["store"] = StorePath }).Succeeded();

        var text = _host.Text;
        Assert.Contains("IsValid", text);
        Assert.Contains("Valid", text);
        Assert.Contains("GlobalAdmin", text);
        Assert.Contains("TokenCount", text);
        Assert.Contains("TokenIssued", text);
        var token = (string)((dynamic)_console.GetVariable("t")!).Token;
        var afterNew = text.Substring(text.IndexOf("IsValid", StringComparison.Ordinal));
        Assert.DoesNotContain(token, afterNew);
    }

    public override void Dispose()
    {
        _console.Dispose();
        base.Dispose();
    }

    private static string MdApiTokensHash(string value) =>
        Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(value))).ToLowerInvariant();
}
