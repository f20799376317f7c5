using MdApiTokens.Core.ApiTokens;

namespace MdApiTokens.Core.Tests.ApiTokens;

public class RevokedTokenTests
{
    [Fact]
    public void A_revoked_token_presented_again_is_revoked_not_unknown_and_is_audited_at_most_once_an_hour()
    {
        using var fixture = new StoreFixture();
        var issued = fixture.AsAdmin().Issue("leaked");
        fixture.AsAdmin().Revoke(issued.Id);
        var validator = new ApiTokenValidator(fixture.Store, fixture.Clock, actor: "web-service");

        var first = validator.Validate(issued.Token);
        fixture.Clock.Advance(TimeSpan.FromMinutes(59));
        var second = validator.Validate(issued.Token);
        fixture.Clock.Advance(TimeSpan.FromMinutes(1));
        validator.Validate(issued.Token);

        Assert.False(first.IsValid);
        Assert.Equal(ApiTokenValidationReason.Revoked, first.Reason);
        Assert.Equal((issued.Id, ApiTokenStatus.Revoked, "alice", StoreFixture.Start), (first.Token!.Id, first.Token.Status, first.Token.RevokedBy, first.Token.RevokedOn));
        Assert.Equal(ApiTokenValidationReason.Revoked, second.Reason);
        var presented = fixture.AsAdmin().ReadAuditLog(out _).Where(e => e.Action == AuditAction.RevokedTokenPresented).ToList();
        Assert.Equal(2, presented.Count);
        Assert.All(presented, e => Assert.Equal(("web-service", issued.Id, "leaked"), (e.Actor, e.TokenId, e.TokenName)));
        Assert.DoesNotContain(issued.Token, File.ReadAllText(fixture.Store.AuditLogPath));
    }

    [Fact]
    public void Listing_shows_live_tokens_and_revoked_ones_only_when_asked()
    {
        using var fixture = new StoreFixture().WithTeam();
        var mine = fixture.As("bob").Issue("bobs");
        fixture.Clock.Advance(TimeSpan.FromMinutes(1));
        fixture.As("bob").Issue("kept");
        fixture.As("bob").Revoke(mine.Id);
        var admins = fixture.AsAdmin().Issue("admins");
        fixture.AsAdmin().Revoke(admins.Id);

        Assert.Equal(new[] { "kept" }, fixture.As("bob").List().Select(t => t.Name));
        var all = fixture.As("bob").List(new ApiTokenQuery { IncludeRevoked = true });
        Assert.Equal(new[] { "bobs", "kept" }, all.Select(t => t.Name)); // not another user's revoked token
        Assert.Equal(ApiTokenStatus.Revoked, all[0].Status);
        Assert.Equal("bob", all[0].RevokedBy);
        Assert.Equal(new[] { "bobs" }, fixture.As("bob").List(new ApiTokenQuery { IncludeRevoked = true, Status = ApiTokenStatus.Revoked }).Select(t => t.Name));
    }

    [Fact]
    public void A_revoked_token_is_audited_best_effort_and_answered_while_the_lock_is_held()
    {
        using var fixture = new StoreFixture();
        var issued = fixture.AsAdmin().Issue("leaked");
        fixture.AsAdmin().Revoke(issued.Id);
        var before = fixture.StoreBytes();

        using (new FileStream(fixture.Store.LockPath, FileMode.Open, FileAccess.ReadWrite, FileShare.None))
        {
            Assert.Equal(ApiTokenValidationReason.Revoked, fixture.Validator().Validate(issued.Token).Reason);
        }

        Assert.Equal(before, fixture.StoreBytes());
    }
}
