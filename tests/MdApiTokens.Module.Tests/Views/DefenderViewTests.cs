using System.Collections;
using System.Globalization;
using MdApiTokens.Module.Tests.Defender;
using MdApiTokens.Module.Tests.Infrastructure;
using MdApiTokens.Testing.Defender;

namespace MdApiTokens.Module.Tests.Views;

/// <summary>Incidents and alerts as a partner sees them in a console 80 and 120 columns wide, for two tenants.</summary>
public class DefenderViewTests : DefenderTestBase
{
    private const string LongName = "Multi-stage incident involving Initial access & Lateral movement on multiple endpoints reported by multiple sources";
    private const string LongTitle = "Suspicious sequence of exploration activities by a process running under a service account";

    private readonly CapturingHost _host = new();
    private readonly PowerShellSession _console;

    public DefenderViewTests()
    {
        _console = new PowerShellSession(_host) { Now = Start, Caller = "alice" };
    }

    [Theory]
    [InlineData(80)]
    [InlineData(120)]
    public void Incidents_show_each_tenant_whole_and_names_wrapped_between_words(int width)
    {
        Seed();

        var text = Render(width, "$tokens | Get-DefenderIncident -ApiUri $api -ThrottleLimit 1");

        var tables = ConsoleText.Tables(text, "Severity");
        Assert.Equal(new[] { $"TenantId: {TenantA}", $"TenantId: {TenantB}" }, tables.Select(t => t.Group));
        foreach (var table in tables)
        {
            Assert.Equal(new[] { "IncidentId", "Severity", "Status", "LastUpdateTime", "IncidentName" }, table.Headers);
            var big = table.Row("IncidentId", "924565");
            Assert.Equal("High", big["Severity"]);
            Assert.Equal("Active", big["Status"]);
            Assert.Equal(FakeDefenderApi.Epoch.LocalDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture), big["LastUpdateTime"]);
            Assert.Equal(LongName, big["IncidentName"].Replace('\n', ' '));
            var small = table.Row("IncidentId", "12");
            Assert.Equal("Informational", small["Severity"]);
            Assert.Equal("InProgress", small["Status"]);
            Assert.Equal("Suspicious URL clicked", small["IncidentName"]);
        }

        ConsoleText.AssertFits(text, width);
    }

    [Theory]
    [InlineData(80)]
    [InlineData(120)]
    public void Alerts_show_created_severity_status_and_the_title_wrapped_between_words(int width)
    {
        Seed();

        var text = Render(width, "(Get-DefenderIncident -ApiUri $api -AccessToken $token -IncidentId 924565).Alerts");

        var table = ConsoleText.Table(text, "Severity");
        Assert.Equal(new[] { "Created", "Severity", "Status", "Title" }, table.Headers);
        var row = Assert.Single(table.Rows);
        Assert.Equal(FakeDefenderApi.Epoch.AddMinutes(-5).LocalDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture), row["Created"]);
        Assert.Equal("High", row["Severity"]);
        Assert.Equal("New", row["Status"]);
        Assert.Equal(LongTitle, row["Title"].Replace('\n', ' '));
        ConsoleText.AssertFits(text, width);
    }

    public override void Dispose()
    {
        _console.Dispose();
        base.Dispose();
    }

    private void Seed()
    {
        Configure(_console);
        var big = FakeDefenderApi.Incident(924565, severity: "High", name: LongName);
        big["alerts"]![0]!["title"] = LongTitle;
        Fake.Incidents.Add(big);
        Fake.Incidents.Add(FakeDefenderApi.Incident(12, severity: "Informational", status: "InProgress", name: "Suspicious URL clicked"));
    }

    private string Render(int width, string command)
    {
        _host.Width = width;
        _host.Clear();
        var variables = new Hashtable { ["api"] = Fake.BaseUri, ["token"] = TokenA, ["tokens"] = new[] { PartnerToken(TenantA), PartnerToken(TenantB) } };
        _console.Run(command + " | Out-Host", variables).Succeeded();
        return _host.Text;
    }
}
