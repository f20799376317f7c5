using MdApiTokens.Core.ApiTokens;

namespace MdApiTokens.Core.Tests.Store;

/// <summary>
/// A kept validator (and a store's own next change) skips reading a file whose identity (file, size, times) is
/// unchanged and settled. These tests move the store's notion of "now" an hour ahead, so every file counts as settled
/// and the identity check alone decides: each change below must still be seen.
/// </summary>
public class StoreChangeDetectionTests
{
    [Fact]
    public void A_revoke_by_another_process_fails_the_next_check_of_a_kept_validator()
    {
        using var fixture = Settled(new StoreFixture());
        var issued = fixture.AsAdmin().Issue("revoked-elsewhere");
        var validator = KeptValidator(fixture, issued.Token);

        using (var worker = StoreWorker.Start("revoke", fixture.StorePath, issued.Id))
        {
            worker.WaitForExit();
            Assert.True(worker.ExitCode == 0, worker.StandardError.ReadToEnd());
        }

        Assert.Equal(ApiTokenValidationReason.Revoked, validator.Validate(issued.Token).Reason);
    }

    [Fact]
    public void A_same_size_edit_that_restores_the_modification_time_is_seen()
    {
        using var fixture = Settled(new StoreFixture());
        var issued = fixture.AsAdmin().Issue("edited-by-hand");
        var validator = KeptValidator(fixture, issued.Token);
        var modified = File.GetLastWriteTimeUtc(fixture.Store.FilePath);

        // Past the kernel's timestamp tick, so the edit's status-change time (which no user can set) moves.
        Thread.Sleep(30);
        EditHashInPlace(fixture, issued.Token);
        File.SetLastWriteTimeUtc(fixture.Store.FilePath, modified);

        Assert.Equal(ApiTokenValidationReason.Unknown, validator.Validate(issued.Token).Reason);
    }

    [Fact]
    public void A_same_size_edit_within_the_timestamp_granularity_is_seen_even_when_the_times_are_equal()
    {
        using var fixture = new StoreFixture();
        var issued = fixture.AsAdmin().Issue("edited-at-once");
        var validator = KeptValidator(fixture, issued.Token);
        var modified = File.GetLastWriteTimeUtc(fixture.Store.FilePath);

        // The store's clock says the file changed just now: its identity is not trusted, the bytes are compared.
        fixture.Store.FileTimeNow = () => modified;
        EditHashInPlace(fixture, issued.Token);
        File.SetLastWriteTimeUtc(fixture.Store.FilePath, modified);

        Assert.Equal(ApiTokenValidationReason.Unknown, validator.Validate(issued.Token).Reason);
    }

    [Fact]
    public void A_file_replaced_by_another_of_the_same_size_and_time_is_seen_by_its_new_inode()
    {
        using var fixture = Settled(new StoreFixture());
        var issued = fixture.AsAdmin().Issue("replaced");
        var validator = KeptValidator(fixture, issued.Token);
        var path = fixture.Store.FilePath;
        var modified = File.GetLastWriteTimeUtc(path);

        var replacement = path + ".new";
        File.WriteAllText(replacement, WithEditedHash(fixture.StoreText(), issued.Token));
        File.SetLastWriteTimeUtc(replacement, modified);
        File.Move(replacement, path, overwrite: true);

        Assert.Equal(ApiTokenValidationReason.Unknown, validator.Validate(issued.Token).Reason);
    }

    [Fact]
    public void An_unchanged_settled_file_gives_back_the_same_snapshot()
    {
        using var fixture = Settled(new StoreFixture());
        fixture.AsAdmin().Issue("kept");

        var first = fixture.Store.ReadSnapshot(null);

        Assert.Same(first, fixture.Store.ReadSnapshot(first));
    }

    [Fact]
    public void A_change_starts_from_a_hand_edit_made_since_the_last_write_of_the_same_store()
    {
        using var fixture = Settled(new StoreFixture());
        var service = fixture.AsAdmin();
        var first = service.Issue("before-edit");

        Thread.Sleep(30);
        var text = fixture.StoreText();
        var modified = File.GetLastWriteTimeUtc(fixture.Store.FilePath);
        File.WriteAllText(fixture.Store.FilePath, text.Replace("before-edit", "by-hand-edt"));
        File.SetLastWriteTimeUtc(fixture.Store.FilePath, modified);

        service.Issue("after-edit");

        Assert.Equal(new[] { "by-hand-edt", "after-edit" }, service.List().Select(t => t.Name));
        Assert.Equal(first.Id, service.List()[0].Id);
    }

    [Fact]
    public void A_change_that_fails_after_touching_the_document_leaves_nothing_behind_for_the_next()
    {
        using var fixture = Settled(new StoreFixture());
        var service = fixture.AsAdmin();
        service.Issue("survives");

        Assert.Throws<InvalidOperationException>(() => fixture.Store.Update<int>(tx =>
        {
            tx.Document.Tokens.Clear();
            throw new InvalidOperationException("failed midway");
        }));
        service.Issue("next");

        Assert.Equal(new[] { "survives", "next" }, service.List().Select(t => t.Name));
    }

    [Fact]
    public void The_store_file_is_compact_json()
    {
        using var fixture = new StoreFixture();
        fixture.AsAdmin().Issue("compact");

        var text = fixture.StoreText();
        Assert.DoesNotContain('\n', text);
        Assert.DoesNotContain(": ", text);
    }

    [Fact]
    public void A_kept_validator_refuses_a_link_put_in_place_of_the_store_file_even_to_a_copy_of_the_same_bytes()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        using var fixture = Settled(new StoreFixture());
        var issued = fixture.AsAdmin().Issue("linked");
        var validator = KeptValidator(fixture, issued.Token);
        var copy = Path.Combine(Path.GetDirectoryName(fixture.StorePath)!, "copy.json");
        File.Copy(fixture.Store.FilePath, copy);
        File.Delete(fixture.Store.FilePath);
        File.CreateSymbolicLink(fixture.Store.FilePath, copy);

        Assertions.ThrowsError(ApiTokenErrors.StoreUnsafe, ErrorKind.SecurityError, () => validator.Validate(issued.Token));
    }

    [Theory]
    [InlineData("folder")]
    [InlineData("store file")]
    public void A_kept_validator_refuses_a_store_made_world_writable_after_it_was_read(string what)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        using var fixture = Settled(new StoreFixture());
        var issued = fixture.AsAdmin().Issue("opened-up");
        var validator = KeptValidator(fixture, issued.Token);
        var path = what == "folder" ? fixture.StorePath : fixture.Store.FilePath;
        File.SetUnixFileMode(path, File.GetUnixFileMode(path) | UnixFileMode.OtherWrite);

        var e = Assertions.ThrowsError(ApiTokenErrors.StoreUnsafe, ErrorKind.SecurityError, () => validator.Validate(issued.Token));
        Assert.Equal(path, e.Target);
    }

    [Fact]
    public void A_kept_validator_sees_a_store_file_deleted_after_it_was_read()
    {
        using var fixture = Settled(new StoreFixture());
        var issued = fixture.AsAdmin().Issue("deleted");
        var validator = KeptValidator(fixture, issued.Token);
        File.Delete(fixture.Store.FilePath);

        Assertions.ThrowsError(ApiTokenErrors.StoreNotFound, ErrorKind.ObjectNotFound, () => validator.Validate(issued.Token));
    }

    // Checked twice: the first check records the token's use (a write), the second reads the file as it now is.
    private static ApiTokenValidator KeptValidator(StoreFixture fixture, string token)
    {
        var validator = fixture.Validator();
        Assert.True(validator.Validate(token).IsValid);
        Assert.True(validator.Validate(token).IsValid);
        return validator;
    }

    private static StoreFixture Settled(StoreFixture fixture)
    {
        fixture.Store.FileTimeNow = () => DateTime.UtcNow.AddHours(1);
        return fixture;
    }

    private static void EditHashInPlace(StoreFixture fixture, string token)
    {
        var text = fixture.StoreText();
        var edited = WithEditedHash(text, token);
        Assert.Equal(text.Length, edited.Length);
        using var stream = new FileStream(fixture.Store.FilePath, FileMode.Open, FileAccess.Write);
        var bytes = System.Text.Encoding.UTF8.GetBytes(edited);
        stream.Write(bytes, 0, bytes.Length);
    }

    private static string WithEditedHash(string text, string token)
    {
        var hash = ApiTokenValue.ComputeHash(token);
        return text.Replace(hash, hash[..63] + (hash[63] == '0' ? '1' : '0'));
    }
}

public class StoreWriterTests
{
    [Fact]
    public void The_hand_written_store_json_is_byte_for_byte_what_the_schema_serializer_writes()
    {
        var time = new DateTimeOffset(2026, 3, 4, 5, 6, 7, 891, TimeSpan.FromHours(2)).AddTicks(1234);
        var token = new ApiTokenRecord
        {
            Id = "0123456789abcdef",
            Name = "nöt \"ascii\" <b>",
            Issuer = "CONTOSO\\alice",
            CreatedOn = time,
            LastUsedOn = time.AddHours(1),
            Permissions = new[] { ApiTokenPermission.ReadAlerts, ApiTokenPermission.DismissAlerts, (ApiTokenPermission)99 },
            Hint = "mdat_...abcd",
            Hash = new string('a', 64),
        };
        var plain = new ApiTokenRecord { Id = "1", Name = "n", Issuer = "bob", CreatedOn = time, Hint = "h", Hash = new string('b', 64) };
        foreach (var document in new[]
        {
            new StoreDocument { SchemaVersion = 1, CreatedOn = time, CreatedBy = "alice" },
            new StoreDocument
            {
                SchemaVersion = 1,
                CreatedOn = time,
                CreatedBy = "alice",
                TenantUrl = "https://contoso.example/",
                Roles = { new RoleRecord { User = "alice", Role = ApiTokenRole.GlobalAdmin, GrantedBy = "alice", GrantedOn = time }, new RoleRecord { User = "x", Role = (ApiTokenRole)7 } },
                Tokens = { token, plain },
                Revoked = new() { new RevokedTokenRecord { Token = plain, RevokedBy = "alice", RevokedOn = time }, new RevokedTokenRecord { Token = token, RevokedBy = "bob", RevokedOn = time, LastPresentedOn = time } },
                Audit = new AuditState { Sequence = 42, Time = time, Length = 12345 },
            },
        })
        {
            var expected = System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(document, StoreJsonContext.Default.StoreDocument);
            Assert.Equal(System.Text.Encoding.UTF8.GetString(expected), System.Text.Encoding.UTF8.GetString(StoreWriter.Serialize(document).ToArray()));
        }
    }
}
