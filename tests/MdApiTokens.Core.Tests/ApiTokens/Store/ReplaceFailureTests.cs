using System.Text;
using MdApiTokens.Core.ApiTokens;
using MdApiTokens.Core.Shared;

namespace MdApiTokens.Core.Tests.Store;

public class ReplaceFailureTests
{
    [Fact]
    public void A_replace_that_fails_after_moving_the_store_away_puts_the_new_file_in_place_instead_of_losing_it()
    {
        using var fixture = new StoreFixture();
        fixture.AsAdmin().Issue("first");

        // ReplaceFile error 1177 (ERROR_UNABLE_TO_MOVE_REPLACEMENT_2): the destination has been renamed away and the
        // replacement is the only copy left.
        RestrictedFile.ReplaceOverride.Value = (source, destination) =>
        {
            File.Move(destination, destination + ".gone");
            throw new IOException("Unable to move the replacement file to the file to be replaced.", unchecked((int)0x80070499));
        };
        try
        {
            fixture.AsAdmin().Issue("second");
        }
        finally
        {
            RestrictedFile.ReplaceOverride.Value = null;
        }

        Assert.Equal(new[] { "first", "second" }, fixture.AsAdmin().List().Select(t => t.Name));
        Assert.Empty(Directory.EnumerateFiles(fixture.StorePath, "*.tmp"));
        Assert.Equal(2, fixture.AsAdmin().ReadAuditLog(out _).Count(e => e.Action == AuditAction.TokenIssued));
    }

    [Fact]
    public void A_replace_that_fails_with_the_store_still_in_place_leaves_it_unchanged_and_says_so()
    {
        using var fixture = new StoreFixture();
        fixture.AsAdmin().Issue("first");
        var before = fixture.StoreBytes();

        // ReplaceFile error 1176 (ERROR_UNABLE_TO_MOVE_REPLACEMENT): nothing moved.
        RestrictedFile.ReplaceOverride.Value = (_, _) => throw new IOException("Unable to move the replacement file.", unchecked((int)0x80070498));
        try
        {
            Assertions.ThrowsError(ApiTokenErrors.StoreWriteFailed, ErrorKind.WriteError, () => fixture.AsAdmin().Issue("second"));
        }
        finally
        {
            RestrictedFile.ReplaceOverride.Value = null;
        }

        Assert.Equal(before, fixture.StoreBytes());
        Assert.Empty(Directory.EnumerateFiles(fixture.StorePath, "*.tmp"));
        fixture.AsAdmin().Issue("second");
        Assert.Equal(2, fixture.AsAdmin().List().Count);
    }

    [Fact]
    public void Writing_a_token_file_over_an_existing_one_leaves_it_readable_only_by_its_owner()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        using var folder = new TempFolder();
        var path = folder.Combine("Latest-token.txt");
        File.WriteAllText(path, "old");
        File.SetUnixFileMode(path, (UnixFileMode)Convert.ToInt32("644", 8));

        RestrictedFile.WriteAllBytes(path, Encoding.UTF8.GetBytes("new"));

        Assert.Equal("new", File.ReadAllText(path));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
    }
}
