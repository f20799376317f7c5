using System.Collections;
using System.Management.Automation.Host;
using MdApiTokens.Module.Tests.Infrastructure;

namespace MdApiTokens.Module.Tests.Defender;

/// <summary>What a person sees of hunting results and API answers, rendered by the engine at 80 and 120 columns.</summary>
public class HuntingFormatViewTests : HuntingTestBase
{
    [Theory]
    [InlineData(80)]
    [InlineData(120)]
    public void A_result_set_shows_tenant_route_rows_columns_and_time_whole(int width)
    {
        Hunting.AddRows(TenantA, 3);
        Hunting.AddRows(TenantB, 1);
        var (host, console) = Console(width);
        using var owned = console;

        console.Run(
            "$tokens | Invoke-DefenderHuntingQuery -Query 'DeviceInfo' -ApiUri $api -AsResultSet | Out-Host; [pscustomobject]@{ AccessToken = $graph } | Invoke-DefenderHuntingQuery -Query 'DeviceInfo' -GraphUri $api -AsResultSet | Out-Host",
            new Hashtable { ["tokens"] = new[] { PartnerToken(TenantA), PartnerToken(TenantB) }, ["api"] = Hunting.BaseUri, ["graph"] = GraphToken(TenantC) }).Succeeded();

        var lines = host.Text.Split('\n');
        Assert.All(lines, l => Assert.True(l.Length <= width, $"'{l}' is wider than {width}"));
        Assert.Contains(lines, l => l.Contains("TenantId") && l.Contains("Route") && l.Contains("Rows") && l.Contains("Columns") && l.Contains("Time"));
        Assert.Contains(lines, l => l.Contains(TenantA) && l.Contains("DefenderApi") && l.Contains(" 3 ") && l.Contains(" 7 ") && l.Contains("0.125 s"));
        Assert.Contains(lines, l => l.Contains(TenantB) && l.Contains(" 1 "));
        Assert.Contains(lines, l => l.Contains(TenantC) && l.Contains("MicrosoftGraph"));
        Assert.DoesNotContain(TokenA, host.Text);
    }

    [Theory]
    [InlineData(80)]
    [InlineData(120)]
    public void Rows_and_API_answers_render_with_their_tenant_and_never_the_token(int width)
    {
        Hunting.AddRows(TenantA, 1);
        Hunting.AddMachinePages(2, pageSize: 2);
        var (host, console) = Console(width);
        using var owned = console;

        console.Run(
            "Invoke-DefenderHuntingQuery -Query 'DeviceInfo' -ApiUri $api -AccessToken $token | Out-Host; Invoke-DefenderApiRequest -Path api/machines -All -ApiUri $api -AccessToken $token | Out-Host",
            new Hashtable { ["api"] = Hunting.BaseUri, ["token"] = TokenA }).Succeeded();

        Assert.Contains("aaaa-pc0", host.Text);
        Assert.Contains("pc2.contoso.com", host.Text);
        Assert.Contains(TenantA, host.Text);
        Assert.DoesNotContain(TokenA, host.Text);
        Assert.DoesNotContain(TokenA.Split('.')[1], host.Text);
    }

    private (CapturingHost Host, PowerShellSession Session) Console(int width)
    {
        var host = new CapturingHost();
        host.UI.RawUI.BufferSize = new Size(width, 3000);
        host.UI.RawUI.WindowSize = new Size(width, 50);
        var console = new PowerShellSession(host);
        Configure(console);
        console.SetOverride("DefenderHuntingPacer", Activator.CreateInstance(CoreType("Defender.DefenderRequestPacer")));
        return (host, console);
    }
}
