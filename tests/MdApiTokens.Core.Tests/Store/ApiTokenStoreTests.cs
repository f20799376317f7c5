using System.Text;
using MdApiTokens.Core.ApiTokens;
using MdApiTokens.Core.Store;

namespace MdApiTokens.Core.Tests.Store;

public class ApiTokenStoreTests
{
    public static TheoryData<string, string> CorruptContents() => new()
    {
        { "not json", "{ \"schemaVersion\": 1, \"tokens\": [ " },
        { "empty", "" },
        { "garbage", "\u0000\u0001\u0002binary" },
        { "array", "[]" },
        { "no schema version", "{ \"roles\": [], \"tokens\": [] }" },
        { "schema version not a number", "{ \"schemaVersion\": \"one\", \"roles\": [], \"tokens\": [] }" },
        { "incomplete token", "{ \"schemaVersion\": 1, \"roles\": [{\"user\":\"alice\",\"role\":\"GlobalAdmin\"}], \"tokens\": [ { \"id\": \"a\" } ] }" },
        { "bad hash", "{ \"schemaVersion\": 1, \"roles\": [], \"tokens\": [ { \"id\": \"a\", \"name\": \"n\", \"issuer\": \"alice\", \"permissions\": [], \"sha256\": \"zz\" } ] }" },
        { "unknown permission", "{ \"schemaVersion\": 1, \"roles\": [], \"tokens\": [ { \"id\": \"a\", \"name\": \"n\", \"issuer\": \"alice\", \"permissions\": [\"Everything\"], \"sha256\": \"" + new string('a', 64) + "\" } ] }" },
        { "null tokens", "{ \"schemaVersion\": 1, \"roles\": [], \"tokens\": null }" },
        { "wrong type", "{ \"schemaVersion\": 1, \"roles\": {}, \"tokens\": [] }" },
        { "no tokens list", "{ \"schemaVersion\": 1, \"roles\": [{\"user\":\"alice\",\"role\":\"GlobalAdmin\"}] }" },
        { "no roles list", "{ \"schemaVersion\": 1, \"tokens\": [] }" },
    };

    [Theory]
    [MemberData(nameof(CorruptContents))]
    public void A_corrupt_store_is_an_error_naming_the_path_and_stays_byte_for_byte(string what, string content)
    {
        using var fixture = new StoreFixture();
        fixture.AsAdmin().Initialize(null);
        var bytes = Encoding.UTF8.GetBytes(content);
        File.WriteAllBytes(fixture.Store.FilePath, bytes);

        foreach (var attempt in new Action[]
        {
            () => fixture.AsAdmin().List(),
            () => fixture.AsAdmin().Issue("new"),
            () => fixture.AsAdmin().GrantRole("bob", ApiTokenRole.SecurityReader),
            () => fixture.Validator().Validate(ApiTokenValue.Generate(System.Security.Cryptography.RandomNumberGenerator.Create())),
        })
        {
            var e = Assertions.ThrowsError(ApiTokenErrors.StoreCorrupt, ErrorKind.InvalidData, attempt);
            Assert.Contains(fixture.Store.FilePath, e.Message);
            Assert.Equal(fixture.Store.FilePath, e.Target);
        }

        Assert.True(bytes.SequenceEqual(File.ReadAllBytes(fixture.Store.FilePath)), what);
        Assert.Empty(Directory.EnumerateFiles(fixture.StorePath, "*.tmp"));
    }

    [Fact]
    public void A_truncated_store_is_reported_as_corrupt_and_kept()
    {
        using var fixture = new StoreFixture();
        for (var i = 0; i < 3; i++)
        {
            fixture.AsAdmin().Issue("t" + i);
        }

        var full = fixture.StoreBytes();
        var truncated = full.Take(full.Length / 2).ToArray();
        File.WriteAllBytes(fixture.Store.FilePath, truncated);

        Assertions.ThrowsError(ApiTokenErrors.StoreCorrupt, ErrorKind.InvalidData, () => fixture.AsAdmin().Issue("t9"));
        Assert.Equal(truncated, fixture.StoreBytes());
    }

    [Fact]
    public void A_newer_schema_version_is_refused_and_kept()
    {
        using var fixture = new StoreFixture();
        var content = "{ \"schemaVersion\": 2, \"tokens\": { \"shape\": \"changed\" } }";
        Directory.CreateDirectory(fixture.StorePath);
        File.WriteAllText(fixture.Store.FilePath, content);

        var e = Assertions.ThrowsError(ApiTokenErrors.StoreVersionUnsupported, ErrorKind.InvalidData, () => fixture.AsAdmin().Issue("x"));
        Assert.Contains("schema version 2", e.Message);
        Assert.Contains(fixture.Store.FilePath, e.Message);
        Assert.Contains("Update-Module", e.RecommendedAction);
        Assert.Equal(content, fixture.StoreText());
    }

    [Fact]
    public void Written_store_has_schema_version_and_round_trips()
    {
        using var fixture = new StoreFixture();
        var issued = fixture.AsAdmin().Issue("x", new[] { ApiTokenPermission.ReadAlerts }, TimeSpan.FromDays(1));

        using var json = System.Text.Json.JsonDocument.Parse(fixture.StoreBytes());
        Assert.Equal(1, json.RootElement.GetProperty("schemaVersion").GetInt32());
        var token = json.RootElement.GetProperty("tokens")[0];
        Assert.Equal(issued.Id, token.GetProperty("id").GetString());
        Assert.Equal("ReadAlerts", token.GetProperty("permissions")[0].GetString());
        Assert.Equal(ApiTokenValue.ComputeHash(issued.Token), token.GetProperty("sha256").GetString());
    }

    [Fact]
    public void Missing_store_is_not_found_and_reading_creates_nothing()
    {
        using var fixture = new StoreFixture();
        var e = Assertions.ThrowsError(ApiTokenErrors.StoreNotFound, ErrorKind.ObjectNotFound, () => fixture.AsAdmin().List());
        Assert.Contains("Initialize-ApiTokenStore", e.RecommendedAction);
        Assert.False(Directory.Exists(fixture.StorePath));
    }

    [Fact]
    public void A_store_path_that_is_a_file_is_invalid()
    {
        using var folder = new TempFolder();
        var file = folder.Combine("not-a-folder");
        File.WriteAllText(file, "keep me");

        Assertions.ThrowsError(ApiTokenErrors.StorePathInvalid, ErrorKind.InvalidArgument, () => new ApiTokenStore(file));
        Assert.Equal("keep me", File.ReadAllText(file));
    }

    [Fact]
    public void An_explicit_path_whose_parent_is_missing_is_invalid_and_nothing_is_created()
    {
        using var folder = new TempFolder();
        var path = folder.Combine("missing", "store");
        var service = new ApiTokenService(new ApiTokenStore(path), new ManualClock(StoreFixture.Start), "alice");

        var e = Assertions.ThrowsError(ApiTokenErrors.StorePathInvalid, ErrorKind.InvalidArgument, () => service.Issue("x"));
        Assert.Contains("does not exist", e.Message);
        Assert.False(Directory.Exists(folder.Combine("missing")));
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("bad\0path")]
    public void Unusable_paths_are_invalid(string path) =>
        Assertions.ThrowsError(ApiTokenErrors.StorePathInvalid, ErrorKind.InvalidArgument, () => new ApiTokenStore(path));

    [Fact]
    public void The_default_location_creates_its_parent_folders()
    {
        using var folder = new TempFolder();
        var env = new Dictionary<string, string?> { ["XDG_DATA_HOME"] = folder.Combine("xdg", "data"), ["HOME"] = folder.Path };
        var location = StoreLocation.Resolve(null, n => env.GetValueOrDefault(n));
        if (Platform.IsUnix)
        {
            Assert.Equal(folder.Combine("xdg", "data", "MdApiTokens"), location.Path);
        }

        Assert.Equal(StoreLocationSource.Default, location.Source);
        new ApiTokenService(location.Open(), new ManualClock(StoreFixture.Start), "alice").Issue("x");
        Assert.True(File.Exists(Path.Combine(location.Path, ApiTokenStore.StoreFileName)));
    }

    [Fact]
    public void Location_precedence_is_parameter_then_environment_then_default()
    {
        var env = new Dictionary<string, string?> { ["MDAPITOKENS_STORE"] = "/from/env", ["HOME"] = "/home/u", ["XDG_DATA_HOME"] = null };

        Assert.Equal(("/from/param", StoreLocationSource.Parameter), Pick(StoreLocation.Resolve("/from/param", n => env.GetValueOrDefault(n))));
        Assert.Equal(("/from/env", StoreLocationSource.Environment), Pick(StoreLocation.Resolve(null, n => env.GetValueOrDefault(n))));
        env["MDAPITOKENS_STORE"] = " ";
        var fallback = StoreLocation.Resolve("", n => env.GetValueOrDefault(n));
        Assert.Equal(StoreLocationSource.Default, fallback.Source);
        if (Platform.IsUnix)
        {
            Assert.Equal("/home/u/.local/share/MdApiTokens", fallback.Path);
        }

        static (string, StoreLocationSource) Pick(StoreLocation l) => (l.Path, l.Source);
    }

    [Fact]
    public void Store_files_are_owner_only_on_unix()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        using var fixture = new StoreFixture();
        fixture.AsAdmin().Issue("x");

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(fixture.StorePath));
        foreach (var file in new[] { fixture.Store.FilePath, fixture.Store.AuditLogPath, fixture.Store.LockPath })
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        }
    }

    [Fact]
    public void A_store_shared_with_a_group_stays_shared_but_never_with_others()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        using var fixture = new StoreFixture();
        fixture.AsAdmin().Issue("x");
        File.SetUnixFileMode(fixture.Store.FilePath, (UnixFileMode)Convert.ToInt32("664", 8));

        fixture.AsAdmin().Issue("y");

        Assert.Equal((UnixFileMode)Convert.ToInt32("660", 8), File.GetUnixFileMode(fixture.Store.FilePath));
    }

    [Fact]
    public void A_held_lock_makes_a_change_wait_and_then_fail_as_busy_without_writing()
    {
        using var fixture = new StoreFixture();
        fixture.AsAdmin().Initialize(null);
        var before = fixture.StoreBytes();
        var store = new ApiTokenStore(fixture.StorePath, lockTimeout: TimeSpan.FromMilliseconds(300));

        using (new FileStream(fixture.Store.LockPath, FileMode.Open, FileAccess.ReadWrite, FileShare.None))
        {
            var watch = System.Diagnostics.Stopwatch.StartNew();
            Assertions.ThrowsError(ApiTokenErrors.StoreLocked, ErrorKind.ResourceBusy,
                () => new ApiTokenService(store, fixture.Clock, "alice").Issue("blocked"));
            Assert.True(watch.Elapsed >= TimeSpan.FromMilliseconds(250), $"gave up after {watch.Elapsed}");
        }

        Assert.Equal(before, fixture.StoreBytes());
        new ApiTokenService(store, fixture.Clock, "alice").Issue("after-release");
    }

    [Fact]
    public void Reads_need_no_lock()
    {
        using var fixture = new StoreFixture();
        fixture.AsAdmin().Issue("x");
        using (new FileStream(fixture.Store.LockPath, FileMode.Open, FileAccess.ReadWrite, FileShare.None))
        {
            Assert.Single(fixture.AsAdmin().List());
        }
    }

    [Fact]
    public void Temp_files_left_by_a_dead_writer_are_removed_on_the_next_change()
    {
        using var fixture = new StoreFixture();
        fixture.AsAdmin().Issue("x");
        var stale = fixture.Store.FilePath + ".deadbeef0000.tmp";
        File.WriteAllText(stale, "half a document");

        fixture.AsAdmin().Issue("y");

        Assert.False(File.Exists(stale));
        Assert.Equal(2, fixture.AsAdmin().List().Count);
    }

    [Fact]
    public void A_change_that_fails_writes_nothing()
    {
        using var fixture = new StoreFixture();
        fixture.AsAdmin().Issue("x");
        var before = fixture.StoreBytes();

        Assert.Throws<InvalidOperationException>(() => fixture.Store.Update<int>(tx =>
        {
            tx.Document.Tokens.Clear();
            tx.MarkChanged();
            throw new InvalidOperationException("boom");
        }));

        Assert.Equal(before, fixture.StoreBytes());
    }

    [Fact]
    public void Unreadable_audit_lines_are_skipped_and_counted()
    {
        using var fixture = new StoreFixture();
        fixture.AsAdmin().Issue("x");
        File.AppendAllText(fixture.Store.AuditLogPath, "not json\n{\"time\":\"bad\"}\n");

        var entries = fixture.Store.ReadAuditLog(out var skipped);
        Assert.Equal(2, skipped);
        Assert.Contains(entries, e => e.Action == AuditAction.TokenIssued);
    }
}
