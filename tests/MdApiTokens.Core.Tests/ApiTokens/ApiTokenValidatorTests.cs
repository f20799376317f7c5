using MdApiTokens.Core.ApiTokens;

namespace MdApiTokens.Core.Tests.ApiTokens;

public class ApiTokenValidatorTests
{
    [Fact]
    public void A_new_token_validates_and_its_use_is_recorded()
    {
        using var fixture = new StoreFixture();
        var issued = fixture.AsAdmin().Issue("svc");

        var result = fixture.Validator().Validate(issued.Token);

        Assert.True(result.IsValid);
        Assert.Equal(ApiTokenValidationReason.Valid, result.Reason);
        Assert.Equal(issued.Id, result.Token!.Id);
        Assert.Equal(ApiTokenStatus.Active, result.Token.Status);
        Assert.Equal(StoreFixture.Start, fixture.AsAdmin().List().Single().LastUsedOn);
    }

    [Fact]
    public void Malformed_tokens_are_rejected_without_reading_the_store()
    {
        using var fixture = new StoreFixture();
        var issued = fixture.AsAdmin().Issue("svc");
        File.WriteAllText(fixture.Store.FilePath, "{ not json");

        // A corrupt store would throw if it were read; format checks come first.
        var typo = issued.Token[..^1] + (issued.Token[^1] == 'a' ? 'b' : 'a');
        Assert.Equal(ApiTokenValidationReason.Malformed, fixture.Validator().Validate(typo).Reason);
        Assert.Equal(ApiTokenValidationReason.Malformed, fixture.Validator().Validate("").Reason);
        Assert.Equal(ApiTokenValidationReason.Malformed, fixture.Validator().Validate(null).Reason);
        Assert.Throws<MdApiTokensException>(() => fixture.Validator().Validate(issued.Token));
    }

    [Fact]
    public void A_well_formed_token_that_was_never_issued_is_unknown()
    {
        using var fixture = new StoreFixture();
        fixture.AsAdmin().Issue("svc");
        using var rng = System.Security.Cryptography.RandomNumberGenerator.Create();
        var result = fixture.Validator().Validate(ApiTokenValue.Generate(rng));
        Assert.Equal(ApiTokenValidationReason.Unknown, result.Reason);
        Assert.Null(result.Token);
    }

    [Fact]
    public void An_expired_token_fails_from_the_moment_of_expiry()
    {
        using var fixture = new StoreFixture();
        var issued = fixture.AsAdmin().Issue("short", null, TimeSpan.FromHours(1));

        fixture.Clock.Advance(TimeSpan.FromHours(1) - TimeSpan.FromTicks(1));
        Assert.True(fixture.Validator().Validate(issued.Token).IsValid);

        fixture.Clock.Advance(TimeSpan.FromTicks(1));
        var result = fixture.Validator().Validate(issued.Token);
        Assert.Equal(ApiTokenValidationReason.Expired, result.Reason);
        Assert.Equal(ApiTokenStatus.Expired, result.Token!.Status);
        Assert.Equal(ApiTokenStatus.Expired, fixture.AsAdmin().List().Single().Status);
    }

    [Fact]
    public void A_required_permission_must_be_carried()
    {
        using var fixture = new StoreFixture();
        var issued = fixture.AsAdmin().Issue("reader", new[] { ApiTokenPermission.ReadAlerts });

        Assert.True(fixture.Validator().Validate(issued.Token, ApiTokenPermission.ReadAlerts).IsValid);
        var denied = fixture.Validator().Validate(issued.Token, ApiTokenPermission.ResolveAlerts);
        Assert.Equal(ApiTokenValidationReason.MissingPermission, denied.Reason);
        Assert.Equal(ApiTokenPermission.ResolveAlerts, denied.RequiredPermission);
    }

    [Fact]
    public void Use_is_written_at_most_once_per_interval()
    {
        using var fixture = new StoreFixture();
        var issued = fixture.AsAdmin().Issue("busy");
        fixture.Validator().Validate(issued.Token);
        var afterFirstUse = fixture.StoreBytes();
        var writeTime = File.GetLastWriteTimeUtc(fixture.Store.FilePath);

        for (var i = 0; i < 20; i++)
        {
            fixture.Clock.Advance(TimeSpan.FromMinutes(2));
            Assert.True(fixture.Validator().Validate(issued.Token).IsValid);
        }

        // 40 minutes of checks: still the first recorded use, file untouched.
        Assert.Equal(afterFirstUse, fixture.StoreBytes());
        Assert.Equal(writeTime, File.GetLastWriteTimeUtc(fixture.Store.FilePath));

        fixture.Clock.Advance(ApiTokenValidator.UseRecordingInterval);
        fixture.Validator().Validate(issued.Token);
        Assert.Equal(fixture.Clock.UtcNow, fixture.AsAdmin().List().Single().LastUsedOn);
    }

    [Fact]
    public void Failed_checks_record_no_use()
    {
        using var fixture = new StoreFixture();
        var issued = fixture.AsAdmin().Issue("reader", new[] { ApiTokenPermission.ReadAlerts });
        var before = fixture.StoreBytes();

        fixture.Validator().Validate(issued.Token, ApiTokenPermission.DismissAlerts);

        Assert.Equal(before, fixture.StoreBytes());
        Assert.Equal(ApiTokenStatus.Generated, fixture.AsAdmin().List().Single().Status);
    }

    [Fact]
    public void Validation_against_a_missing_store_is_an_error_not_a_silent_false()
    {
        using var fixture = new StoreFixture();
        using var rng = System.Security.Cryptography.RandomNumberGenerator.Create();
        Assertions.ThrowsError(ApiTokenErrors.StoreNotFound, ErrorKind.ObjectNotFound, () => fixture.Validator().Validate(ApiTokenValue.Generate(rng)));
    }

    [Fact]
    public void One_validator_sees_a_revoke_made_through_another_store_object_at_once()
    {
        using var fixture = new StoreFixture();
        var issued = fixture.AsAdmin().Issue("kept-validator");
        var validator = fixture.Validator();
        Assert.True(validator.Validate(issued.Token).IsValid);
        Assert.True(validator.Validate(issued.Token).IsValid);

        new ApiTokenService(new ApiTokenStore(fixture.StorePath), fixture.Clock, "alice").Revoke(issued.Id);

        Assert.Equal(ApiTokenValidationReason.Revoked, validator.Validate(issued.Token).Reason);
    }

    [Fact]
    public void One_validator_sees_an_edit_that_keeps_the_file_size()
    {
        using var fixture = new StoreFixture();
        var issued = fixture.AsAdmin().Issue("same-size-edit");
        var validator = fixture.Validator();
        Assert.True(validator.Validate(issued.Token).IsValid);

        // Flip one hex digit of the stored hash: same length, same timestamps resolution, different content.
        var hash = ApiTokenValue.ComputeHash(issued.Token);
        var edited = hash.Substring(0, 63) + (hash[63] == '0' ? '1' : '0');
        var text = fixture.StoreText();
        File.WriteAllText(fixture.Store.FilePath, text.Replace(hash, edited));
        Assert.Equal(text.Length, fixture.StoreText().Length);

        Assert.Equal(ApiTokenValidationReason.Unknown, validator.Validate(issued.Token).Reason);
    }

    [Fact]
    public void An_unchanged_store_file_is_not_parsed_again()
    {
        using var fixture = new StoreFixture();
        fixture.AsAdmin().Issue("parsed-once");

        var first = fixture.Store.ReadSnapshot(null);
        var second = fixture.Store.ReadSnapshot(first);
        Assert.Same(first, second);

        fixture.AsAdmin().Issue("changes-the-file");
        var third = fixture.Store.ReadSnapshot(second);
        Assert.NotSame(second, third);
        Assert.Equal(2, third.Document.Tokens.Count);
    }
}
