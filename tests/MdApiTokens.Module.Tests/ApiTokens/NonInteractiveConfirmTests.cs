using System.Globalization;
using System.Management.Automation;
using System.Management.Automation.Host;
using MdApiTokens.Module.Tests.Infrastructure;

namespace MdApiTokens.Module.Tests.ApiTokens;

/// <summary>A runbook host: no user interface, so a confirmation prompt cannot be shown.</summary>
public sealed class NonInteractiveConfirmTests : ModuleTestBase
{
    public NonInteractiveConfirmTests()
        : base(new HostWithoutUI())
    {
    }

    public static TheoryData<string, string> HighImpactCommands() => new()
    {
        { "Revoke-ApiToken", "-Name siem" },
        { "Grant-ApiTokenRole", "-User bob -Role SecurityReader" },
        { "Revoke-ApiTokenRole", "-User carol" },
    };

    [Theory]
    [MemberData(nameof(HighImpactCommands))]
    public void A_high_impact_command_in_a_host_without_ui_fails_with_powershells_own_error_and_changes_nothing(string command, string arguments)
    {
        WithTeam();
        NewToken("siem");
        var before = File.ReadAllBytes(StoreFile);

        var result = Session.Run($"{command} {arguments} -StorePath '{StorePath}'");

        var error = Assert.Single(result.AllErrors);
        Assert.NotEqual("MdApiTokensUnexpectedError", error.FullyQualifiedErrorId.Split(',')[0]);
        Assert.IsAssignableFrom<HostException>(error.Exception);
        Assert.Equal(before, File.ReadAllBytes(StoreFile));
    }

    [Theory]
    [MemberData(nameof(HighImpactCommands))]
    public void The_same_command_with_confirm_false_runs_in_a_host_without_ui(string command, string arguments)
    {
        WithTeam();
        NewToken("siem");

        Session.Run($"{command} {arguments} -StorePath '{StorePath}' -Confirm:$false").Succeeded();

        Assert.NotEmpty(Session.Run($"Get-ApiTokenAuditLog -StorePath '{StorePath}' -Last 1").Succeeded().Output);
    }

    private sealed class HostWithoutUI : PSHost
    {
        private readonly Guid _id = Guid.NewGuid();

        public override CultureInfo CurrentCulture => CultureInfo.InvariantCulture;

        public override CultureInfo CurrentUICulture => CultureInfo.GetCultureInfo("en-US");

        public override Guid InstanceId => _id;

        public override string Name => "Runbook";

        public override PSHostUserInterface? UI => null;

        public override Version Version => new(1, 0);

        public override void EnterNestedPrompt() => throw new NotSupportedException();

        public override void ExitNestedPrompt() => throw new NotSupportedException();

        public override void NotifyBeginApplication()
        {
        }

        public override void NotifyEndApplication()
        {
        }

        public override void SetShouldExit(int exitCode)
        {
        }
    }
}
