using MdApiTokens.Core.ApiTokens;

namespace MdApiTokens.Core.Tests.ApiTokens;

public class AccountNameTests
{
    // What Windows answers through the account's SID on a machine in the CONTOSO domain.
    private static string? Contoso(string name) => name.ToLowerInvariant() switch
    {
        "alice" or "alice@contoso.com" or "contoso.com\\alice" or "contoso\\alice" => "CONTOSO\\alice",
        "dana" or "dana@contoso.com" or "contoso\\dana" => "CONTOSO\\dana",
        _ => null,
    };

    private static ApiTokenService As(StoreFixture fixture, string caller) => new(fixture.Store, fixture.Clock, caller, normalizeAccount: Contoso);

    [Theory]
    [InlineData("dana")]
    [InlineData("dana@contoso.com")]
    [InlineData("CONTOSO\\dana")]
    public void A_role_granted_by_any_form_of_the_name_matches_the_caller(string typed)
    {
        using var fixture = new StoreFixture();
        As(fixture, "CONTOSO\\alice").Initialize(null);

        var granted = As(fixture, "CONTOSO\\alice").GrantRole(typed, ApiTokenRole.SecurityReader);

        Assert.Equal("CONTOSO\\dana", granted.User);
        Assert.Equal("reader-token", As(fixture, "CONTOSO\\dana").Issue("reader-token").Name);
    }

    [Fact]
    public void A_name_that_cannot_be_resolved_is_refused_and_the_store_is_unchanged()
    {
        using var fixture = new StoreFixture();
        As(fixture, "CONTOSO\\alice").Initialize(null);
        var before = fixture.StoreBytes();

        var e = Assertions.ThrowsError(ApiTokenErrors.UserInvalid, ErrorKind.InvalidArgument, () => As(fixture, "CONTOSO\\alice").GrantRole("mallory@fabrikam.com", ApiTokenRole.GlobalAdmin));

        Assert.Contains("is not an account this machine can resolve", e.Message);
        Assert.Equal(before, fixture.StoreBytes());
    }

    [Fact]
    public void A_role_is_removed_by_any_form_of_the_name_or_by_the_recorded_name_of_an_account_gone_since()
    {
        using var fixture = new StoreFixture();
        As(fixture, "CONTOSO\\alice").Initialize(null);
        As(fixture, "CONTOSO\\alice").GrantRole("dana", ApiTokenRole.SecurityReader);

        Assert.Equal("CONTOSO\\dana", As(fixture, "CONTOSO\\alice").RevokeRole("dana@contoso.com").User);

        new ApiTokenService(fixture.Store, fixture.Clock, "CONTOSO\\alice", normalizeAccount: n => n).GrantRole("OLDDOMAIN\\bob", ApiTokenRole.SecurityReader);
        Assert.Equal("OLDDOMAIN\\bob", As(fixture, "CONTOSO\\alice").RevokeRole("OLDDOMAIN\\bob").User);
    }
}
