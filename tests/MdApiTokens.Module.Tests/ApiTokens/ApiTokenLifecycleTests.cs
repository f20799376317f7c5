using System.Collections;
using System.Management.Automation;
using System.Text;
using MdApiTokens.Module.Tests.Infrastructure;

namespace MdApiTokens.Module.Tests.ApiTokens;

public class ApiTokenLifecycleTests : ModuleTestBase
{
    [Fact]
    public void A_new_token_validates_goes_Generated_Active_Inactive_and_fails_at_once_after_revoke()
    {
        var issued = NewToken("siem");
        string token = issued.Token;
        string id = issued.Id;

        Assert.Equal("Generated", Status(GetTokens(("Name", "siem")).Single()));

        Assert.True(TestToken(token));
        Assert.Equal("Active", Status(GetTokens(("Name", "siem")).Single()));

        Session.Now = Start + TimeSpan.FromDays(7);
        Assert.Equal("Active", Status(GetTokens(("Name", "siem")).Single()));

        Session.Now = Start + TimeSpan.FromDays(7) + TimeSpan.FromSeconds(1);
        Assert.Equal("Inactive", Status(GetTokens(("Name", "siem")).Single()));
        Assert.Single(GetTokens(("Status", "Inactive")));
        Assert.Empty(GetTokens(("Status", "Active")));

        Cmd("Revoke-ApiToken", ("Id", id), ("Confirm", false)).Succeeded();

        Assert.False(TestToken(token));
        Assert.Empty(GetTokens());
    }

    [Fact]
    public void New_ApiToken_returns_the_documented_shape_once()
    {
        Cmd("Initialize-ApiTokenStore", ("TenantUrl", "https://contoso.portal.cloudappsecurity.com")).Succeeded();

        var result = Cmd("New-ApiToken", ("Name", "siem"), ("Permission", new[] { "ReadAlerts", "ReadActivities" }), ("ExpiresIn", "30.00:00:00")).Succeeded();

        var o = Assert.Single(result.Output);
        Assert.Equal("MdApiTokens.Core.ApiTokens.NewApiTokenResult", o.BaseObject.GetType().FullName);
        foreach (var property in new[] { "Id", "Name", "Token", "Permissions", "CreatedOn", "ExpiresOn", "Url" })
        {
            Assert.NotNull(o.Properties[property]);
        }

        Assert.StartsWith("mdat_", (string)o.Properties["Token"].Value);
        Assert.Equal(new[] { "ReadActivities", "ReadAlerts" }, ((IEnumerable)o.Properties["Permissions"].Value).Cast<object>().Select(p => p.ToString()));
        Assert.Equal(Start.AddDays(30), (DateTimeOffset)o.Properties["ExpiresOn"].Value);
        Assert.Equal(new Uri("https://contoso.portal.cloudappsecurity.com/"), o.Properties["Url"].Value);

        // The listing never carries the value or its hash.
        var listed = GetTokens().Single();
        Assert.Null(listed.Properties["Token"]);
        Assert.DoesNotContain(listed.Properties, p => p.Name.Contains("Hash", StringComparison.OrdinalIgnoreCase) || p.Name.Contains("sha", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public void The_store_file_never_contains_the_token_value()
    {
        var tokens = Enumerable.Range(0, 3).Select(i => (string)NewToken("t" + i).Token).ToList();
        tokens.ForEach(t => Assert.True(TestToken(t)));

        foreach (var file in Directory.EnumerateFiles(StorePath))
        {
            var text = Encoding.UTF8.GetString(File.ReadAllBytes(file));
            foreach (var token in tokens)
            {
                Assert.DoesNotContain(token, text);
                Assert.DoesNotContain(token.Substring(5, 16), text);
            }
        }
    }

    [Fact]
    public void A_security_reader_cannot_create_a_token_that_can_change_data()
    {
        WithTeam();
        Session.Caller = "carol";
        var before = File.ReadAllBytes(StoreFile);

        var result = Cmd("New-ApiToken", ("Name", "too-much"), ("Permission", new[] { "ReadAlerts", "DismissAlerts" }));

        var error = result.SingleError("ApiTokenPermissionDenied", ErrorCategory.PermissionDenied);
        Assert.Contains("cannot issue a token that can change data", error.Exception.Message);
        Assert.Contains("ReadActivities, ReadAlerts, ReadPolicyReports", error.ErrorDetails.RecommendedAction);
        Assert.Empty(result.Output);
        Assert.Equal(before, File.ReadAllBytes(StoreFile));

        // Without -Permission the reader's token is read-only.
        var own = NewToken("reader-default");
        Assert.Equal(new[] { "ReadActivities", "ReadAlerts", "ReadPolicyReports" }, ((IEnumerable)own.Permissions).Cast<object>().Select(p => p.ToString()));
    }

    [Fact]
    public void A_security_reader_cannot_see_or_revoke_another_users_token()
    {
        WithTeam();
        var admins = NewToken("admin-token");
        string adminId = admins.Id;
        Session.Caller = "carol";
        NewToken("carol-token");

        Assert.Equal(new[] { "carol-token" }, GetTokens().Select(t => t.Properties["Name"].Value));
        var byId = Cmd("Get-ApiToken", ("Id", adminId));
        byId.SingleError("ApiTokenNotFound", ErrorCategory.ObjectNotFound);

        var revoke = Cmd("Revoke-ApiToken", ("Id", adminId), ("Confirm", false));
        revoke.SingleError("ApiTokenNotFound", ErrorCategory.ObjectNotFound);

        Session.Caller = "alice";
        Assert.Equal(new[] { "admin-token", "carol-token" }, GetTokens().Select(t => t.Properties["Name"].Value));
        Assert.True(TestToken((string)admins.Token));
    }

    [Fact]
    public void Get_ApiToken_piped_to_Revoke_ApiToken_revokes_each_token()
    {
        var a = NewToken("pipe-a");
        var b = NewToken("pipe-b");
        NewToken("keep");

        var result = Session.Run(
            "Get-ApiToken -StorePath $store -Name 'pipe-*' | Revoke-ApiToken -Confirm:$false -PassThru",
            new Hashtable { ["store"] = StorePath }).Succeeded();

        Assert.Equal(new[] { "pipe-a", "pipe-b" }, result.Output.Select(o => o.Properties["Name"].Value));
        Assert.Equal(new[] { "keep" }, GetTokens().Select(t => t.Properties["Name"].Value));
        Assert.False(TestToken((string)a.Token));
        Assert.False(TestToken((string)b.Token));
    }

    [Fact]
    public void Revoke_ApiToken_takes_a_name_by_position_and_ids_from_the_pipeline()
    {
        NewToken("by-position");
        var piped = NewToken("by-pipeline");

        Session.Run("Revoke-ApiToken by-position -StorePath $store -Confirm:$false", new Hashtable { ["store"] = StorePath }).Succeeded();
        Assert.Equal(new[] { "by-pipeline" }, GetTokens().Select(t => t.Properties["Name"].Value));

        // An object with both Id and Name (Get-ApiToken's output) binds -Id, the exact key.
        NewToken("by-position");
        Session.Run("[pscustomobject]@{ Id = $id; Name = 'by-position'; StorePath = $store } | Revoke-ApiToken -Confirm:$false", new Hashtable { ["id"] = (string)piped.Id, ["store"] = StorePath }).Succeeded();
        Assert.Equal(new[] { "by-position" }, GetTokens().Select(t => t.Properties["Name"].Value));
    }

    [Fact]
    public void Piped_tokens_carry_their_store_path_to_the_next_cmdlet()
    {
        NewToken("elsewhere");

        // No -StorePath on Revoke-ApiToken: it binds StorePath from the piped object.
        Session.Run("Get-ApiToken -StorePath $store | Revoke-ApiToken -Confirm:$false", new Hashtable { ["store"] = StorePath }).Succeeded();

        Assert.Empty(GetTokens());
    }

    [Fact]
    public void WhatIf_changes_nothing()
    {
        var token = NewToken("existing");
        var before = File.ReadAllBytes(StoreFile);

        var created = Cmd("New-ApiToken", ("Name", "whatif"), ("WhatIf", true)).Succeeded();
        var revoked = Cmd("Revoke-ApiToken", ("Id", (string)token.Id), ("WhatIf", true)).Succeeded();
        var granted = Cmd("Grant-ApiTokenRole", ("User", "bob"), ("Role", "SecurityReader"), ("WhatIf", true)).Succeeded();
        var retargeted = Cmd("Set-ApiTokenStore", ("TenantUrl", "https://x.example.com"), ("WhatIf", true)).Succeeded();

        Assert.Empty(created.Output.Concat(revoked.Output).Concat(granted.Output).Concat(retargeted.Output));
        Assert.Equal(before, File.ReadAllBytes(StoreFile));
    }

    [Fact]
    public void WhatIf_on_a_missing_store_creates_nothing()
    {
        Cmd("New-ApiToken", ("Name", "whatif"), ("WhatIf", true)).Succeeded();
        Cmd("Initialize-ApiTokenStore", ("WhatIf", true)).Succeeded();
        Assert.False(Directory.Exists(StorePath));
    }

    [Fact]
    public void Revoke_ApiToken_asks_for_confirmation_and_no_keeps_the_token()
    {
        var host = new CapturingHost();
        using var session = new PowerShellSession(host) { Now = Start, Caller = "alice" };
        session.Command("New-ApiToken", P(("Name", "precious"))).Succeeded();

        host.Choices.Enqueue(2); // [Y] Yes [A] Yes to All [N] No ...
        session.Command("Revoke-ApiToken", P(("Name", "precious"))).Succeeded();

        var prompt = Assert.Single(host.Prompts);
        Assert.Contains("precious", prompt);
        Assert.Single(session.Command("Get-ApiToken", P()).Succeeded().Output);

        host.Choices.Enqueue(0);
        session.Command("Revoke-ApiToken", P(("Name", "precious"))).Succeeded();
        Assert.Empty(session.Command("Get-ApiToken", P()).Succeeded().Output);
    }

    [Fact]
    public void Get_ApiToken_matches_wildcards_and_reports_missing_plain_names()
    {
        NewToken("siem-eu");
        NewToken("siem-us");
        NewToken("collector");

        Assert.Equal(new[] { "siem-eu", "siem-us" }, GetTokens(("Name", new[] { "SIEM-*" })).Select(t => t.Properties["Name"].Value));
        Assert.Empty(GetTokens(("Name", new[] { "nothing-*" })));

        var missing = Cmd("Get-ApiToken", ("Name", new[] { "collector", "absent" }));
        Assert.Equal(new[] { "collector" }, missing.Output.Select(t => t.Properties["Name"].Value));
        var error = missing.SingleError("ApiTokenNotFound", ErrorCategory.ObjectNotFound);
        Assert.Equal("absent", error.TargetObject);
    }

    [Fact]
    public void Name_is_positional_and_Id_binds_by_property_name()
    {
        var token = NewToken("positional");
        var byPosition = Session.Run("Get-ApiToken positional -StorePath $store", new Hashtable { ["store"] = StorePath }).Succeeded();
        Assert.Equal(token.Id, byPosition.Output.Single().Properties["Id"].Value);

        var byProperty = Session.Run("[pscustomobject]@{ Id = $id; StorePath = $store } | Get-ApiToken", new Hashtable { ["id"] = (string)token.Id, ["store"] = StorePath }).Succeeded();
        Assert.Equal("positional", byProperty.Output.Single().Properties["Name"].Value);
    }

    [Fact]
    public void Names_piped_to_New_ApiToken_issue_one_token_each()
    {
        var result = Session.Run("'one','two','three' | New-ApiToken -StorePath $store", new Hashtable { ["store"] = StorePath }).Succeeded();
        Assert.Equal(3, result.Output.Count);
        Assert.Equal(3, result.Output.Select(o => o.Properties["Token"].Value).Distinct().Count());
    }

    [Fact]
    public void A_bad_piped_name_is_an_error_for_that_name_and_the_others_are_issued()
    {
        NewToken("taken");

        var result = Session.Run("'first', 'taken', 'bad*name', 'last' | New-ApiToken -StorePath $store", new Hashtable { ["store"] = StorePath });

        Assert.Null(result.Terminating);
        Assert.Equal(new[] { "first", "last" }, result.Output.Select(o => o.Properties["Name"].Value));
        Assert.Equal(new[] { "ApiTokenNameInUse", "ApiTokenNameInvalid" }, result.Errors.Select(e => e.FullyQualifiedErrorId.Split(',')[0]));
        Assert.Equal(new[] { "taken", "first", "last" }, GetTokens().Select(t => t.Properties["Name"].Value));
    }

    [Fact]
    public void A_bare_number_for_ExpiresIn_is_refused_not_read_as_ticks()
    {
        var error = Cmd("New-ApiToken", ("Name", "x"), ("ExpiresIn", 90)).SingleError("ApiTokenExpiryInvalid", ErrorCategory.InvalidArgument);
        Assert.Contains("ticks", error.ErrorDetails.RecommendedAction);
        Assert.False(Directory.Exists(StorePath));
    }

    [Fact]
    public void Bad_parameter_values_fail_in_the_binder_with_the_valid_choices()
    {
        var badPermission = Cmd("New-ApiToken", ("Name", "x"), ("Permission", new[] { "ReadEverything" }));
        var error = Assert.Single(badPermission.AllErrors);
        Assert.StartsWith("CannotConvertArgumentNoMessage", error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.InvalidArgument, error.CategoryInfo.Category);
        Assert.Contains("ReadAlerts", error.Exception.Message);

        var badStatus = Cmd("Get-ApiToken", ("Status", "Dormant"));
        Assert.Equal(ErrorCategory.InvalidArgument, Assert.Single(badStatus.AllErrors).CategoryInfo.Category);

        var emptyName = Cmd("New-ApiToken", ("Name", ""));
        Assert.StartsWith("ParameterArgumentValidationError", Assert.Single(emptyName.AllErrors).FullyQualifiedErrorId);
        Assert.False(Directory.Exists(StorePath));
    }

    [Fact]
    public void Invalid_names_and_lifetimes_get_module_errors()
    {
        Cmd("New-ApiToken", ("Name", "bad*name")).SingleError("ApiTokenNameInvalid", ErrorCategory.InvalidArgument);
        Cmd("New-ApiToken", ("Name", "x"), ("ExpiresIn", TimeSpan.FromDays(-1))).SingleError("ApiTokenExpiryInvalid", ErrorCategory.InvalidArgument);
        NewToken("dup");
        Cmd("New-ApiToken", ("Name", "DUP")).SingleError("ApiTokenNameInUse", ErrorCategory.ResourceExists);
    }

    [Fact]
    public void Test_ApiToken_Detailed_names_the_reason()
    {
        var reader = NewToken("reader", ("Permission", new[] { "ReadAlerts" }), ("ExpiresIn", TimeSpan.FromDays(1)));
        string value = reader.Token;

        string Reason(string token, params (string, object?)[] extra)
        {
            var result = Cmd("Test-ApiToken", extra.Append(("Token", token)).Append(("Detailed", true)).ToArray()).Succeeded();
            return result.Output.Single().Properties["Reason"].Value.ToString()!;
        }

        Assert.Equal("Valid", Reason(value, ("Permission", "ReadAlerts")));
        Assert.Equal("MissingPermission", Reason(value, ("Permission", "ResolveAlerts")));
        Assert.Equal("Malformed", Reason("mdat_nope"));
        Assert.Equal("Malformed", Reason(""));
        Assert.Equal("Malformed", Reason(value.Substring(0, value.Length - 1) + (value[^1] == 'x' ? 'y' : 'x')));
        Session.Now = Start + TimeSpan.FromDays(1);
        Assert.Equal("Expired", Reason(value));

        var detailed = Cmd("Test-ApiToken", ("Token", value), ("Detailed", true)).Succeeded().Output.Single();
        Assert.False((bool)detailed.Properties["IsValid"].Value);
        Assert.Equal("reader", ((PSObject)PSObject.AsPSObject(detailed.Properties["Token"].Value)).Properties["Name"].Value);
        Assert.False(TestToken(value));
    }

    [Fact]
    public void New_ApiToken_output_pipes_into_Test_ApiToken()
    {
        var result = Session.Run("New-ApiToken -Name piped -StorePath $store | Test-ApiToken", new Hashtable { ["store"] = StorePath }).Succeeded();
        Assert.True((bool)result.Output.Single().BaseObject);
    }

    [Fact]
    public void Test_ApiToken_returns_booleans_for_Should_to_test()
    {
        var token = NewToken("bool");
        var result = Session.Run(
            "if (Test-ApiToken -Token $t -StorePath $store) { 'yes' } else { 'no' }; if (Test-ApiToken -Token 'mdat_garbage' -StorePath $store) { 'yes' } else { 'no' }",
            new Hashtable { ["t"] = (string)token.Token, ["store"] = StorePath }).Succeeded();
        Assert.Equal(new object[] { "yes", "no" }, result.Output.Select(o => o.BaseObject));
    }

    [Fact]
    public void ErrorAction_Stop_makes_a_per_item_error_terminating()
    {
        NewToken("present");
        var result = Session.Run(
            "try { Get-ApiToken -Name absent -StorePath $store -ErrorAction Stop; 'not reached' } catch { $_.FullyQualifiedErrorId }",
            new Hashtable { ["store"] = StorePath }).Succeeded();
        Assert.Equal("ApiTokenNotFound,MdApiTokens.Commands.ApiTokens.GetApiTokenCommand", result.Output.Single().BaseObject);
    }
}
