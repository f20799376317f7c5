using System.Collections;
using System.Management.Automation;
using MdApiTokens.Module.Tests.Infrastructure;

namespace MdApiTokens.Module.Tests.ApiTokens;

public class ApiTokenRoleTests : ModuleTestBase
{
    [Fact]
    public void New_ApiToken_on_a_missing_store_makes_the_caller_global_admin()
    {
        NewToken("first");

        var roles = Cmd("Get-ApiTokenRole").Succeeded().Output;
        var admin = Assert.Single(roles);
        Assert.Equal("alice", admin.Properties["User"].Value);
        Assert.Equal("GlobalAdmin", admin.Properties["Role"].Value.ToString());
    }

    [Fact]
    public void Roles_are_granted_listed_filtered_and_removed()
    {
        WithTeam();

        Assert.Equal(new[] { "alice", "bob", "carol" }, Cmd("Get-ApiTokenRole").Succeeded().Output.Select(r => r.Properties["User"].Value));
        Assert.Equal(new[] { "carol" }, Cmd("Get-ApiTokenRole", ("Role", "SecurityReader")).Succeeded().Output.Select(r => r.Properties["User"].Value));
        Assert.Equal(new[] { "bob" }, Cmd("Get-ApiTokenRole", ("User", new[] { "b*" })).Succeeded().Output.Select(r => r.Properties["User"].Value));

        var removed = Cmd("Revoke-ApiTokenRole", ("User", "carol"), ("Confirm", false), ("PassThru", true)).Succeeded();
        Assert.Equal("SecurityReader", removed.Output.Single().Properties["Role"].Value.ToString());
        Assert.Equal(new[] { "alice", "bob" }, Cmd("Get-ApiTokenRole").Succeeded().Output.Select(r => r.Properties["User"].Value));
    }

    [Fact]
    public void Only_a_global_admin_grants_roles()
    {
        WithTeam();
        Session.Caller = "bob";
        var before = File.ReadAllBytes(StoreFile);

        var result = Cmd("Grant-ApiTokenRole", ("User", "bob"), ("Role", "GlobalAdmin"), ("Confirm", false));

        var error = result.SingleError("ApiTokenAdminRequired", ErrorCategory.PermissionDenied);
        Assert.Equal("bob", error.TargetObject);
        Assert.Equal(before, File.ReadAllBytes(StoreFile));
    }

    [Fact]
    public void A_caller_without_a_role_is_told_whom_to_ask()
    {
        WithTeam();
        Session.Caller = "mallory";

        var error = Cmd("Get-ApiToken").SingleError("ApiTokenRoleMissing", ErrorCategory.PermissionDenied);
        Assert.Contains("alice", error.ErrorDetails.RecommendedAction);
        Assert.Contains("Grant-ApiTokenRole -User 'mallory'", error.ErrorDetails.RecommendedAction);
    }

    [Fact]
    public void The_last_global_admin_stays()
    {
        WithTeam();
        Cmd("Revoke-ApiTokenRole", ("User", "alice"), ("Confirm", false)).SingleError("ApiTokenLastGlobalAdmin", ErrorCategory.InvalidOperation);
        Cmd("Revoke-ApiTokenRole", ("User", "nobody"), ("Confirm", false)).SingleError("ApiTokenRoleAssignmentNotFound", ErrorCategory.ObjectNotFound);
    }

    [Fact]
    public void Role_changes_ask_for_confirmation_by_default()
    {
        var host = new CapturingHost();
        using var session = new PowerShellSession(host) { Now = Start, Caller = "alice" };
        session.Command("Initialize-ApiTokenStore", P()).Succeeded();

        host.Choices.Enqueue(2); // No
        session.Command("Grant-ApiTokenRole", P(("User", "bob"), ("Role", "SecurityReader"))).Succeeded();

        Assert.Single(host.Prompts);
        Assert.Single(session.Command("Get-ApiTokenRole", P()).Succeeded().Output);
    }

    [Fact]
    public void Audit_log_records_who_did_what_and_never_a_value()
    {
        WithTeam();
        Session.Caller = "bob";
        var token = NewToken("audited");
        Session.Caller = "alice";
        Cmd("Revoke-ApiToken", ("Name", new[] { "audited" }), ("Confirm", false)).Succeeded();

        var entries = Cmd("Get-ApiTokenAuditLog").Succeeded().Output;
        Assert.Equal(
            new[] { "StoreInitialized", "RoleGranted", "RoleGranted", "RoleGranted", "TokenIssued", "TokenRevoked" },
            entries.Select(e => e.Properties["Action"].Value.ToString()));
        Assert.Equal("bob", entries[4].Properties["Actor"].Value);
        Assert.Equal("alice", entries[5].Properties["Actor"].Value);

        Assert.Equal(new[] { "TokenRevoked" }, Cmd("Get-ApiTokenAuditLog", ("Last", 1)).Succeeded().Output.Select(e => e.Properties["Action"].Value.ToString()));
        Assert.Equal(2, Cmd("Get-ApiTokenAuditLog", ("Action", new[] { "TokenIssued", "TokenRevoked" })).Succeeded().Output.Count);

        Session.Caller = "bob";
        Assert.All(Cmd("Get-ApiTokenAuditLog").Succeeded().Output, e => Assert.Equal("bob", e.Properties["Actor"].Value));

        Assert.DoesNotContain((string)token.Token, File.ReadAllText(Path.Combine(StorePath, "audit.log")));
    }
}
