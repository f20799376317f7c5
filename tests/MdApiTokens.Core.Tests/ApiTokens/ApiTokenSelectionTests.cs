using MdApiTokens.Core.ApiTokens;

namespace MdApiTokens.Core.Tests.ApiTokens;

public class ApiTokenSelectionTests
{
    // A stand-in for PowerShell's WildcardPattern: '*' only, case-insensitive.
    private static Func<string, bool> Glob(string pattern) => name =>
        System.Text.RegularExpressions.Regex.IsMatch(name, "^" + System.Text.RegularExpressions.Regex.Escape(pattern).Replace("\\*", ".*") + "$", System.Text.RegularExpressions.RegexOptions.IgnoreCase);

    [Fact]
    public void A_name_without_wildcards_that_matches_nothing_is_reported_per_item_and_a_pattern_is_not()
    {
        using var fixture = new StoreFixture();
        fixture.AsAdmin().Issue("siem");
        fixture.AsAdmin().Issue("backup");

        var selection = fixture.AsAdmin().Select(ApiTokenKey.Name, new[] { "SIEM", "nope", "zz*" }, Glob);

        Assert.Equal(new[] { "siem" }, selection.Tokens.Select(t => t.Name));
        var missing = Assert.Single(selection.NotFound);
        Assert.Equal(ApiTokenErrors.TokenNotFound, missing.ErrorId);
        Assert.Equal(ErrorScope.Item, missing.Scope);
        Assert.Equal("nope", missing.Target);
        Assert.Null(selection.Matches[2].NotFound);
    }

    [Fact]
    public void Tokens_matched_by_several_names_are_chosen_once_oldest_first()
    {
        using var fixture = new StoreFixture();
        fixture.AsAdmin().Issue("b-first");
        fixture.Clock.Advance(TimeSpan.FromMinutes(1));
        fixture.AsAdmin().Issue("a-second");

        var selection = fixture.AsAdmin().Select(ApiTokenKey.Name, new[] { "a*", "*", "b-first" }, Glob);

        Assert.Equal(new[] { "b-first", "a-second" }, selection.Tokens.Select(t => t.Name));
        Assert.Empty(selection.NotFound);
    }

    [Fact]
    public void An_id_of_another_users_token_is_not_found_for_a_non_admin()
    {
        using var fixture = new StoreFixture().WithTeam();
        var admins = fixture.AsAdmin().Issue("admins");

        var selection = fixture.As("bob").Select(ApiTokenKey.Id, new[] { admins.Id.ToUpperInvariant() }, Glob);
        Assert.Empty(selection.Tokens);
        Assert.Equal(ApiTokenErrors.TokenNotFound, Assert.Single(selection.NotFound).ErrorId);

        Assert.Equal(admins.Id, fixture.AsAdmin().Select(ApiTokenKey.Id, new[] { admins.Id.ToUpperInvariant() }, Glob).Tokens.Single().Id);
    }

    [Fact]
    public void A_status_filter_reports_no_missing_names()
    {
        using var fixture = new StoreFixture();
        fixture.AsAdmin().Issue("siem");

        var selection = fixture.AsAdmin().Select(ApiTokenKey.Name, new[] { "siem", "nope" }, Glob, ApiTokenStatus.Active);

        Assert.Empty(selection.Tokens);
        Assert.Empty(selection.NotFound);
    }

    [Theory]
    [InlineData("siem", false)]
    [InlineData("si*", true)]
    [InlineData("s?em", true)]
    [InlineData("[sx]iem", true)]
    [InlineData("si`*", false)]
    [InlineData("", false)]
    public void Wildcards_are_unescaped_star_question_mark_and_brackets(string pattern, bool expected) =>
        Assert.Equal(expected, ApiTokenSelection.HasWildcards(pattern));

    [Fact]
    public void Audit_query_keeps_the_newest_entries_of_the_given_actions_after_a_time()
    {
        using var fixture = new StoreFixture();
        fixture.AsAdmin().Issue("one");
        fixture.Clock.Advance(TimeSpan.FromMinutes(1));
        var cut = fixture.Clock.UtcNow;
        fixture.AsAdmin().Issue("two");
        fixture.AsAdmin().Issue("three");
        fixture.AsAdmin().Revoke(fixture.AsAdmin().List().First().Id);

        var entries = fixture.AsAdmin().ReadAuditLog(out _, new AuditLogQuery { Actions = new[] { AuditAction.TokenIssued }, After = cut, Last = 1 });

        Assert.Equal("three", Assert.Single(entries).TokenName);
    }

    [Fact]
    public void Role_query_filters_by_user_and_role()
    {
        using var fixture = new StoreFixture().WithTeam();

        Assert.Equal(new[] { "bob" }, fixture.AsAdmin().ListRoles(u => u.StartsWith('b')).Select(r => r.User));
        Assert.Equal(new[] { "carol" }, fixture.AsAdmin().ListRoles(role: ApiTokenRole.SecurityReader).Select(r => r.User));
        Assert.Empty(fixture.AsAdmin().ListRoles(u => u == "bob", ApiTokenRole.GlobalAdmin));
    }
}
