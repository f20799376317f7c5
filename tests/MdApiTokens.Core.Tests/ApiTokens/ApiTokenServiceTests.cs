using System.Text;
using MdApiTokens.Core.ApiTokens;

namespace MdApiTokens.Core.Tests.ApiTokens;

public class ApiTokenServiceTests
{
    [Fact]
    public void First_issue_creates_the_store_with_the_caller_as_global_admin()
    {
        using var fixture = new StoreFixture();
        Assert.False(fixture.Store.Exists);

        var issued = fixture.As("alice").Issue("siem");

        Assert.True(fixture.Store.Exists);
        var roles = fixture.As("alice").ListRoles();
        var admin = Assert.Single(roles);
        Assert.Equal(("alice", ApiTokenRole.GlobalAdmin), (admin.User, admin.Role));
        Assert.Equal(RolePolicy.AllPermissions, issued.Permissions);
        Assert.Equal("alice", issued.Issuer);
        Assert.Equal(StoreFixture.Start, issued.CreatedOn);
        Assert.Null(issued.ExpiresOn);
    }

    [Fact]
    public void Issued_token_carries_the_requested_subset_and_expiry()
    {
        using var fixture = new StoreFixture().WithTeam();

        var issued = fixture.As("bob").Issue("alerts", new[] { ApiTokenPermission.ResolveAlerts, ApiTokenPermission.ReadAlerts, ApiTokenPermission.ReadAlerts }, TimeSpan.FromDays(30));

        Assert.Equal(new[] { ApiTokenPermission.ReadAlerts, ApiTokenPermission.ResolveAlerts }, issued.Permissions);
        Assert.Equal(StoreFixture.Start.AddDays(30), issued.ExpiresOn);
        var listed = fixture.As("bob").List().Single();
        Assert.Equal(issued.Permissions, listed.Permissions);
        Assert.Equal(issued.ExpiresOn, listed.ExpiresOn);
    }

    [Theory]
    [InlineData(ApiTokenRole.GlobalAdmin, new[] { "ReadActivities", "ReadAlerts", "ReadPolicyReports", "DismissAlerts", "ResolveAlerts", "UploadDiscoveryLogs", "GenerateBlockScripts" })]
    [InlineData(ApiTokenRole.SecurityOperator, new[] { "ReadActivities", "ReadAlerts", "ReadPolicyReports", "DismissAlerts", "ResolveAlerts", "UploadDiscoveryLogs", "GenerateBlockScripts" })]
    [InlineData(ApiTokenRole.SecurityReader, new[] { "ReadActivities", "ReadAlerts", "ReadPolicyReports" })]
    public void A_token_carries_by_default_every_permission_of_its_issuers_role(ApiTokenRole role, string[] expected)
    {
        using var fixture = new StoreFixture();
        fixture.AsAdmin().Initialize(null);
        if (role != ApiTokenRole.GlobalAdmin)
        {
            fixture.AsAdmin().GrantRole("dave", role);
        }

        var issuer = role == ApiTokenRole.GlobalAdmin ? fixture.Admin : "dave";
        var issued = fixture.As(issuer).Issue("default");

        Assert.Equal(expected, issued.Permissions.Select(p => p.ToString()));
    }

    [Theory]
    [InlineData(ApiTokenPermission.DismissAlerts)]
    [InlineData(ApiTokenPermission.ResolveAlerts)]
    [InlineData(ApiTokenPermission.UploadDiscoveryLogs)]
    [InlineData(ApiTokenPermission.GenerateBlockScripts)]
    public void A_security_reader_cannot_issue_a_token_that_can_change_data(ApiTokenPermission permission)
    {
        using var fixture = new StoreFixture().WithTeam();
        var before = fixture.StoreBytes();

        var e = Assertions.ThrowsError(ApiTokenErrors.PermissionDenied, ErrorKind.PermissionDenied,
            () => fixture.As("carol").Issue("too-much", new[] { ApiTokenPermission.ReadAlerts, permission }));

        Assert.Contains("SecurityReader cannot issue a token that can change data", e.Message);
        Assert.Contains(permission.ToString(), e.Message);
        Assert.Equal(before, fixture.StoreBytes());
        Assert.Empty(fixture.As("carol").List());
    }

    [Fact]
    public void A_security_reader_may_issue_a_read_only_token()
    {
        using var fixture = new StoreFixture().WithTeam();
        var issued = fixture.As("carol").Issue("reports", new[] { ApiTokenPermission.ReadPolicyReports });
        Assert.Equal(new[] { ApiTokenPermission.ReadPolicyReports }, issued.Permissions);
    }

    [Fact]
    public void A_user_without_a_role_cannot_issue_list_or_revoke()
    {
        using var fixture = new StoreFixture().WithTeam();
        var token = fixture.AsAdmin().Issue("admin-token");

        var e = Assertions.ThrowsError(ApiTokenErrors.RoleMissing, ErrorKind.PermissionDenied, () => fixture.As("mallory").Issue("x"));
        Assert.Contains("Grant-ApiTokenRole -User 'mallory'", e.RecommendedAction);
        Assertions.ThrowsError(ApiTokenErrors.RoleMissing, ErrorKind.PermissionDenied, () => fixture.As("mallory").List());
        Assertions.ThrowsError(ApiTokenErrors.RoleMissing, ErrorKind.PermissionDenied, () => fixture.As("mallory").Revoke(token.Id));
        Assert.Single(fixture.AsAdmin().List());
    }

    [Fact]
    public void Global_admin_sees_every_token_and_others_only_their_own()
    {
        using var fixture = new StoreFixture().WithTeam();
        fixture.AsAdmin().Issue("a1");
        fixture.As("bob").Issue("b1");
        fixture.As("carol").Issue("c1");
        fixture.As("carol").Issue("c2");

        Assert.Equal(new[] { "a1", "b1", "c1", "c2" }, fixture.AsAdmin().List().Select(t => t.Name));
        Assert.Equal(new[] { "b1" }, fixture.As("bob").List().Select(t => t.Name));
        Assert.Equal(new[] { "c1", "c2" }, fixture.As("carol").List().Select(t => t.Name));
        Assert.Equal(4, fixture.AsAdmin().GetStoreInfo().TokenCount);
        Assert.Equal(2, fixture.As("carol").GetStoreInfo().TokenCount);
    }

    [Fact]
    public void Non_admins_cannot_revoke_another_users_token_and_it_is_reported_as_missing()
    {
        using var fixture = new StoreFixture().WithTeam();
        var admins = fixture.AsAdmin().Issue("admin-token");
        var bobs = fixture.As("bob").Issue("bob-token");
        var before = fixture.StoreBytes();

        Assertions.ThrowsError(ApiTokenErrors.TokenNotFound, ErrorKind.ObjectNotFound, () => fixture.As("carol").Revoke(admins.Id));
        Assertions.ThrowsError(ApiTokenErrors.TokenNotFound, ErrorKind.ObjectNotFound, () => fixture.As("carol").Revoke(bobs.Id));
        Assertions.ThrowsError(ApiTokenErrors.TokenNotFound, ErrorKind.ObjectNotFound, () => fixture.As("bob").Revoke(admins.Id));

        Assert.Equal(before, fixture.StoreBytes());
        Assert.True(fixture.Validator().Validate(admins.Token).IsValid);
        Assert.True(fixture.Validator().Validate(bobs.Token).IsValid);
    }

    [Fact]
    public void Global_admin_revokes_anyones_token_and_it_fails_validation_immediately()
    {
        using var fixture = new StoreFixture().WithTeam();
        var bobs = fixture.As("bob").Issue("bob-token");
        Assert.True(fixture.Validator().Validate(bobs.Token).IsValid);

        var revoked = fixture.AsAdmin().Revoke(bobs.Id);

        Assert.Equal("bob-token", revoked.Name);
        var result = fixture.Validator().Validate(bobs.Token);
        Assert.False(result.IsValid);
        Assert.Equal(ApiTokenValidationReason.Revoked, result.Reason);
        Assert.Empty(fixture.As("bob").List());
    }

    [Fact]
    public void Owner_revokes_their_own_token()
    {
        using var fixture = new StoreFixture().WithTeam();
        var token = fixture.As("carol").Issue("mine");
        fixture.As("carol").Revoke(token.Id);
        Assert.False(fixture.Validator().Validate(token.Token).IsValid);
    }

    [Fact]
    public void Names_are_unique_per_issuer_case_insensitively()
    {
        using var fixture = new StoreFixture().WithTeam();
        fixture.As("bob").Issue("SIEM");

        Assertions.ThrowsError(ApiTokenErrors.NameInUse, ErrorKind.ResourceExists, () => fixture.As("bob").Issue("siem"));
        fixture.As("carol").Issue("siem"); // another issuer may use the name
        Assert.Equal(2, fixture.AsAdmin().List().Count);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("with*wildcard")]
    [InlineData("with?wildcard")]
    [InlineData("[bracket]")]
    [InlineData(" leading")]
    [InlineData("tab\tinside")]
    public void Invalid_names_are_refused(string name)
    {
        using var fixture = new StoreFixture();
        Assertions.ThrowsError(ApiTokenErrors.NameInvalid, ErrorKind.InvalidArgument, () => fixture.AsAdmin().Issue(name));
        Assert.False(fixture.Store.Exists);
    }

    [Fact]
    public void Overlong_name_is_refused() =>
        Assertions.ThrowsError(ApiTokenErrors.NameInvalid, ErrorKind.InvalidArgument, () => new StoreFixture().AsAdmin().Issue(new string('n', 129)));

    [Theory]
    [InlineData(0L)]
    [InlineData(-TimeSpan.TicksPerDay)]
    [InlineData(90L)] // what PowerShell makes of -ExpiresIn 90: ticks
    [InlineData(TimeSpan.TicksPerMinute - 1)]
    [InlineData(3651 * TimeSpan.TicksPerDay)]
    public void Lifetime_must_be_between_a_minute_and_ten_years(long ticks)
    {
        using var fixture = new StoreFixture();
        var e = Assertions.ThrowsError(ApiTokenErrors.ExpiryInvalid, ErrorKind.InvalidArgument, () => fixture.AsAdmin().Issue("x", null, TimeSpan.FromTicks(ticks)));
        Assert.Contains("New-TimeSpan -Days 90", e.RecommendedAction);
        Assert.False(fixture.Store.Exists);
    }

    [Fact]
    public void Lifetime_bounds_themselves_are_accepted()
    {
        using var fixture = new StoreFixture();
        Assert.Equal(StoreFixture.Start.AddMinutes(1), fixture.AsAdmin().Issue("shortest", null, TimeSpan.FromMinutes(1)).ExpiresOn);
        Assert.Equal(StoreFixture.Start.AddDays(3650), fixture.AsAdmin().Issue("longest", null, TimeSpan.FromDays(3650)).ExpiresOn);
    }

    [Fact]
    public void Empty_permission_list_is_refused()
    {
        using var fixture = new StoreFixture();
        Assertions.ThrowsError(ApiTokenErrors.PermissionEmpty, ErrorKind.InvalidArgument, () => fixture.AsAdmin().Issue("x", Array.Empty<ApiTokenPermission>()));
    }

    [Fact]
    public void Query_filters_by_name_id_and_status()
    {
        using var fixture = new StoreFixture();
        var used = fixture.AsAdmin().Issue("used-one");
        var fresh = fixture.AsAdmin().Issue("fresh-one");
        fixture.AsAdmin().Issue("other");
        fixture.Validator().Validate(used.Token);

        Assert.Equal(new[] { "used-one", "fresh-one" }, fixture.AsAdmin().List(new ApiTokenQuery { NameFilter = n => n.EndsWith("-one") }).Select(t => t.Name));
        Assert.Equal(new[] { "fresh-one" }, fixture.AsAdmin().List(new ApiTokenQuery { Ids = new[] { fresh.Id.ToUpperInvariant() } }).Select(t => t.Name));
        Assert.Equal(new[] { "used-one" }, fixture.AsAdmin().List(new ApiTokenQuery { Status = ApiTokenStatus.Active }).Select(t => t.Name));
        Assert.Equal(new[] { "fresh-one", "other" }, fixture.AsAdmin().List(new ApiTokenQuery { Status = ApiTokenStatus.Generated }).Select(t => t.Name));
    }

    [Fact]
    public void Tenant_url_is_handed_out_with_new_tokens()
    {
        using var fixture = new StoreFixture();
        fixture.AsAdmin().Initialize(new Uri("https://contoso.portal.cloudappsecurity.com"));

        Assert.Equal(new Uri("https://contoso.portal.cloudappsecurity.com/"), fixture.AsAdmin().Issue("x").Url);

        fixture.AsAdmin().SetTenantUrl(null);
        Assert.Null(fixture.AsAdmin().Issue("y").Url);
    }

    [Theory]
    [InlineData("http://contoso.portal.cloudappsecurity.com")]
    [InlineData("https://user:pw@contoso.portal.cloudappsecurity.com")]
    [InlineData("ftp://contoso")]
    public void Tenant_url_must_be_https_without_credentials(string url)
    {
        using var fixture = new StoreFixture();
        Assertions.ThrowsError(ApiTokenErrors.TenantUrlInvalid, ErrorKind.InvalidArgument, () => fixture.AsAdmin().Initialize(new Uri(url)));
        Assert.False(fixture.Store.Exists);
    }

    [Fact]
    public void Initializing_an_existing_store_is_refused_and_changes_nothing()
    {
        using var fixture = new StoreFixture();
        fixture.AsAdmin().Initialize(null);
        var before = fixture.StoreBytes();

        Assertions.ThrowsError(ApiTokenErrors.StoreExists, ErrorKind.ResourceExists, () => fixture.As("bob").Initialize(null));
        Assert.Equal(before, fixture.StoreBytes());
    }

    [Fact]
    public void Only_a_global_admin_assigns_roles_or_changes_the_store()
    {
        using var fixture = new StoreFixture().WithTeam();
        var before = fixture.StoreBytes();

        Assertions.ThrowsError(ApiTokenErrors.AdminRequired, ErrorKind.PermissionDenied, () => fixture.As("bob").GrantRole("bob", ApiTokenRole.GlobalAdmin));
        Assertions.ThrowsError(ApiTokenErrors.AdminRequired, ErrorKind.PermissionDenied, () => fixture.As("carol").RevokeRole("bob"));
        Assertions.ThrowsError(ApiTokenErrors.AdminRequired, ErrorKind.PermissionDenied, () => fixture.As("bob").SetTenantUrl(new Uri("https://x.example")));
        Assert.Equal(before, fixture.StoreBytes());
    }

    [Fact]
    public void The_last_global_admin_cannot_be_removed_or_demoted()
    {
        using var fixture = new StoreFixture().WithTeam();
        Assertions.ThrowsError(ApiTokenErrors.LastGlobalAdmin, ErrorKind.InvalidOperation, () => fixture.AsAdmin().RevokeRole("alice"));
        Assertions.ThrowsError(ApiTokenErrors.LastGlobalAdmin, ErrorKind.InvalidOperation, () => fixture.AsAdmin().GrantRole("alice", ApiTokenRole.SecurityReader));

        fixture.AsAdmin().GrantRole("bob", ApiTokenRole.GlobalAdmin);
        fixture.AsAdmin().GrantRole("alice", ApiTokenRole.SecurityReader);
        Assert.Equal(ApiTokenRole.SecurityReader, fixture.As("bob").ListRoles().Single(r => r.User == "alice").Role);
    }

    [Fact]
    public void Removing_an_issuers_role_strips_their_tokens_permissions()
    {
        using var fixture = new StoreFixture().WithTeam();
        var bobs = fixture.As("bob").Issue("ops", new[] { ApiTokenPermission.ReadAlerts, ApiTokenPermission.DismissAlerts });

        fixture.AsAdmin().GrantRole("bob", ApiTokenRole.SecurityReader);
        Assert.True(fixture.Validator().Validate(bobs.Token, ApiTokenPermission.ReadAlerts).IsValid);
        Assert.Equal(ApiTokenValidationReason.MissingPermission, fixture.Validator().Validate(bobs.Token, ApiTokenPermission.DismissAlerts).Reason);

        fixture.AsAdmin().RevokeRole("bob");
        Assert.Equal(ApiTokenValidationReason.MissingPermission, fixture.Validator().Validate(bobs.Token).Reason);
    }

    [Fact]
    public void Every_issue_revoke_and_role_change_is_audited_without_token_values()
    {
        using var fixture = new StoreFixture().WithTeam();
        var token = fixture.As("bob").Issue("audited");
        fixture.Validator().Validate(token.Token);
        fixture.AsAdmin().Revoke(token.Id);
        fixture.AsAdmin().RevokeRole("carol");

        var entries = fixture.AsAdmin().ReadAuditLog(out var unreadable);
        Assert.Equal(0, unreadable);
        Assert.Equal(
            new[] { AuditAction.StoreInitialized, AuditAction.RoleGranted, AuditAction.RoleGranted, AuditAction.RoleGranted, AuditAction.TokenIssued, AuditAction.TokenRevoked, AuditAction.RoleRevoked },
            entries.Select(e => e.Action));
        var issued = entries.Single(e => e.Action == AuditAction.TokenIssued);
        Assert.Equal(("bob", token.Id, "audited"), (issued.Actor, issued.TokenId, issued.TokenName));
        Assert.Equal("alice", entries.Single(e => e.Action == AuditAction.TokenRevoked).Actor);

        var log = File.ReadAllText(fixture.Store.AuditLogPath);
        Assert.DoesNotContain(token.Token, log);
        Assert.DoesNotContain(token.Token.Substring(5, 20), log);
        Assert.DoesNotContain(ApiTokenValue.ComputeHash(token.Token), log);

        // Non-admins read only their own entries.
        Assert.All(fixture.As("bob").ReadAuditLog(out _), e => Assert.Equal("bob", e.Actor));
    }

    [Fact]
    public void The_value_and_its_plain_text_never_reach_the_store()
    {
        using var fixture = new StoreFixture();
        var tokens = Enumerable.Range(0, 5).Select(i => fixture.AsAdmin().Issue("t" + i)).ToList();
        foreach (var t in tokens)
        {
            fixture.Validator().Validate(t.Token);
        }

        var bytes = fixture.StoreBytes();
        var utf8 = Encoding.UTF8.GetString(bytes);
        var utf16 = Encoding.Unicode.GetString(bytes);
        foreach (var t in tokens)
        {
            var secret = t.Token.Substring(ApiTokenValue.Prefix.Length, ApiTokenValue.SecretLength);
            Assert.DoesNotContain(secret, utf8);
            Assert.DoesNotContain(secret.Substring(0, 12), utf8);
            Assert.DoesNotContain(secret.Substring(0, 12), utf16);
            Assert.Contains(ApiTokenValue.ComputeHash(t.Token), utf8);
        }

        // Nothing else in the folder holds it either (temp files, lock file, audit log).
        foreach (var file in Directory.EnumerateFiles(fixture.StorePath))
        {
            var content = File.ReadAllText(file);
            Assert.All(tokens, t => Assert.DoesNotContain(t.Token.Substring(5, 20), content));
        }
    }

    [Fact]
    public void ToString_of_a_new_token_does_not_reveal_the_value()
    {
        using var fixture = new StoreFixture();
        var issued = fixture.AsAdmin().Issue("siem");
        Assert.DoesNotContain(issued.Token, issued.ToString());
        Assert.DoesNotContain(issued.Token.Substring(5, 10), issued.ToString());
    }
}
