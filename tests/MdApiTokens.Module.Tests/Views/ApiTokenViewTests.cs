using System.Collections;
using System.Globalization;
using MdApiTokens.Module.Tests.Infrastructure;

namespace MdApiTokens.Module.Tests.Views;

/// <summary>
/// The API token views as a person sees them in a console 80 and 120 columns wide, with realistic long values:
/// the columns they came for, every value whole, no empty lines.
/// </summary>
public class ApiTokenViewTests : ModuleTestBase
{
    private const string Admin = @"CONTOSO\alice.johnson";
    private const string Operator = @"CONTOSO\security-operations-bob";
    private const string LongName = "siem-connector-production-westeurope-01";

    private readonly CapturingHost _host = new();
    private readonly PowerShellSession _console;

    public ApiTokenViewTests()
    {
        _console = new PowerShellSession(_host) { Now = Start, Caller = Admin };
    }

    [Theory]
    [InlineData(80)]
    [InlineData(120)]
    public void Get_ApiToken_shows_name_status_expiry_and_permissions_whole(int width)
    {
        Run("New-ApiToken -StorePath $store -Name $long -ExpiresIn ([timespan]::FromDays(90)) | Out-Null; " +
            "New-ApiToken -StorePath $store -Name reader -Permission ReadAlerts, ReadActivities, ReadPolicyReports | Out-Null; " +
            "New-ApiToken -StorePath $store -Name soar-playbook -Permission ReadAlerts, DismissAlerts, ResolveAlerts, UploadDiscoveryLogs | Out-Null");

        var text = Render(width, "Get-ApiToken -StorePath $store");

        var table = ConsoleText.Table(text, "Status");
        Assert.Equal(new[] { "Name", "Status", "Expires", "Permissions" }, table.Headers);
        var siem = table.Row("Name", LongName);
        Assert.Equal("Generated", siem["Status"]);
        Assert.Equal(Local(Start.AddDays(90)), siem["Expires"]);
        Assert.Equal("All", siem["Permissions"]);
        Assert.Equal("Read-only", table.Row("Name", "reader")["Permissions"]);
        var soar = table.Row("Name", "soar-playbook");
        Assert.Equal("never", soar["Expires"]);
        Assert.Equal("ReadAlerts\nDismissAlerts\nResolveAlerts\nUploadDiscoveryLogs", soar["Permissions"]);
        ConsoleText.AssertFits(text, width);
    }

    [Theory]
    [InlineData(80)]
    [InlineData(120)]
    public void New_ApiToken_shows_the_value_whole_on_its_own_line_and_no_empty_url_line(int width)
    {
        var text = Render(width, "New-ApiToken -StorePath $store -Name $long");

        var item = Assert.Single(ConsoleText.Lists(text));
        Assert.Equal(new[] { "Name", "Id", "Token", "Note", "Permissions", "Expires" }, item.Keys);
        Assert.Equal(LongName, item["Name"]);
        Assert.Matches(@"^Token\s+: mdat_[0-9A-Za-z]{49}$", text.Split('\n').Single(l => l.StartsWith("Token", StringComparison.Ordinal)));
        Assert.Contains("cannot be shown again", item["Note"]);
        Assert.Equal(7, item["Permissions"].Split('\n').Length);
        Assert.DoesNotContain("Url", text);
        ConsoleText.AssertFits(text, width);
    }

    [Theory]
    [InlineData(80)]
    [InlineData(120)]
    public void New_ApiToken_shows_the_tenant_url_when_the_store_has_one(int width)
    {
        Run("Initialize-ApiTokenStore -StorePath $store -TenantUrl 'https://contoso-production.eu2.portal.cloudappsecurity.com/' | Out-Null");

        var text = Render(width, "New-ApiToken -StorePath $store -Name $long");

        Assert.Equal("https://contoso-production.eu2.portal.cloudappsecurity.com/", Assert.Single(ConsoleText.Lists(text))["Url"]);
        ConsoleText.AssertFits(text, width);
    }

    [Theory]
    [InlineData(80)]
    [InlineData(120)]
    public void Get_ApiTokenRole_shows_users_roles_and_the_whole_grant_date(int width)
    {
        Run("Initialize-ApiTokenStore -StorePath $store | Out-Null; Grant-ApiTokenRole -StorePath $store -User $operator -Role SecurityOperator -Confirm:$false | Out-Null");

        var text = Render(width, "Get-ApiTokenRole -StorePath $store");

        var table = ConsoleText.Table(text, "Role");
        Assert.Equal(new[] { "User", "Role", "GrantedOn", "GrantedBy" }, table.Headers);
        var row = table.Row("User", Operator);
        Assert.Equal("SecurityOperator", row["Role"]);
        Assert.Equal(Start.LocalDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), row["GrantedOn"]);
        Assert.Equal(Admin, row["GrantedBy"]);
        Assert.Equal("GlobalAdmin", table.Row("User", Admin)["Role"]);
        ConsoleText.AssertFits(text, width);
    }

    [Theory]
    [InlineData(80)]
    [InlineData(120)]
    public void Get_ApiTokenAuditLog_shows_subject_actor_and_details_whole(int width)
    {
        Run("Initialize-ApiTokenStore -StorePath $store | Out-Null; Grant-ApiTokenRole -StorePath $store -User $operator -Role SecurityOperator -Confirm:$false | Out-Null; " +
            "$t = New-ApiToken -StorePath $store -Name $long -ExpiresIn ([timespan]::FromDays(90)); Revoke-ApiToken -StorePath $store -Id $t.Id -Confirm:$false");
        var id = (string)_console.Run("(Get-ApiTokenAuditLog -StorePath $store | Where-Object Action -eq TokenRevoked).TokenId", Vars()).Output.Single().BaseObject;

        var text = Render(width, "Get-ApiTokenAuditLog -StorePath $store");

        var table = ConsoleText.Table(text, "Action");
        Assert.Equal(new[] { "Seq", "Time", "Action", "Subject, actor and details" }, table.Headers);
        Assert.All(table.Rows, r => Assert.Equal(Local(Start), r["Time"]));
        Assert.Equal(Enumerable.Range(1, table.Rows.Count).Select(n => n.ToString(CultureInfo.InvariantCulture)), table.Rows.Select(r => r["Seq"]));
        var issued = ConsoleText.Squash(Assert.Single(table.Rows, r => r["Action"] == "TokenIssued")["Subject, actor and details"]);
        Assert.StartsWith(ConsoleText.Squash($"{LongName} ({id}) by {Admin} permissions=ReadActivities, ReadAlerts, ReadPolicyReports, DismissAlerts, ResolveAlerts, UploadDiscoveryLogs, GenerateBlockScripts expiresOn="), issued);
        Assert.Equal(ConsoleText.Squash($"{LongName} ({id}) by {Admin}"), ConsoleText.Squash(Assert.Single(table.Rows, r => r["Action"] == "TokenRevoked")["Subject, actor and details"]));
        Assert.Contains(table.Rows, r => ConsoleText.Squash(r["Subject, actor and details"]) == ConsoleText.Squash($"{Operator}: SecurityOperator by {Admin}"));
        ConsoleText.AssertFits(text, width);
    }

    [Theory]
    [InlineData(80)]
    [InlineData(120)]
    public void Get_ApiTokenStore_leaves_out_an_absent_tenant_url_and_shows_a_present_one(int width)
    {
        Run("Initialize-ApiTokenStore -StorePath $store | Out-Null");

        var without = Render(width, "Get-ApiTokenStore -StorePath $store");
        Run("Set-ApiTokenStore -StorePath $store -TenantUrl 'https://contoso.eu2.portal.cloudappsecurity.com/' -Confirm:$false | Out-Null");
        var with = Render(width, "Get-ApiTokenStore -StorePath $store");

        var item = Assert.Single(ConsoleText.Lists(without));
        Assert.False(item.ContainsKey("TenantUrl"));
        Assert.Equal(Admin, item["Caller"]);
        Assert.Equal("GlobalAdmin", item["CallerRole"]);
        Assert.Equal(ConsoleText.Squash(Path.Combine(StorePath, "audit.log")), ConsoleText.Squash(item["AuditLogPath"]));
        Assert.Equal("https://contoso.eu2.portal.cloudappsecurity.com/", Assert.Single(ConsoleText.Lists(with))["TenantUrl"]);
        ConsoleText.AssertFits(without, width);
        ConsoleText.AssertFits(with, width);
    }

    [Theory]
    [InlineData(80)]
    [InlineData(120)]
    public void Test_ApiToken_Detailed_shows_the_reason_and_the_whole_token_name(int width)
    {
        Run("$t = New-ApiToken -StorePath $store -Name $long");

        var text = Render(width, "Test-ApiToken -StorePath $store -Token $t.Token -Detailed");

        var row = Assert.Single(ConsoleText.Table(text, "Reason").Rows);
        Assert.Equal("True", row["IsValid"]);
        Assert.Equal("Valid", row["Reason"]);
        Assert.Equal(LongName, ConsoleText.Squash(row["Name"]));
        Assert.Equal("Active", row["Status"]);
        ConsoleText.AssertFits(text, width);
    }

    public override void Dispose()
    {
        _console.Dispose();
        base.Dispose();
    }

    private static string Local(DateTimeOffset time) => time.LocalDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);

    private Hashtable Vars() => new() { ["store"] = StorePath, ["long"] = LongName, ["operator"] = Operator };

    private void Run(string script) => _console.Run(script, Vars()).Succeeded();

    /// <summary>What the console shows for <paramref name="command"/> in a window <paramref name="width"/> columns wide.</summary>
    private string Render(int width, string command)
    {
        _host.Width = width;
        _host.Clear();
        _console.Run(command + " | Out-Host", Vars()).Succeeded();
        return _host.Text;
    }
}
