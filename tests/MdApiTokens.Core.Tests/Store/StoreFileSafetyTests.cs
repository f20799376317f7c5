using System.Diagnostics;
using System.Text;
using MdApiTokens.Core.ApiTokens;
using MdApiTokens.Core.Store;

namespace MdApiTokens.Core.Tests.Store;

public class StoreFileSafetyTests
{
    [Fact]
    public void An_audit_log_replaced_by_a_link_is_refused_and_neither_the_target_nor_the_store_changes()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        using var fixture = new StoreFixture();
        fixture.AsAdmin().Issue("first");
        var victim = Path.Combine(Path.GetDirectoryName(fixture.StorePath)!, "victim.txt");
        File.WriteAllText(victim, "precious\n");
        File.Delete(fixture.Store.AuditLogPath);
        File.CreateSymbolicLink(fixture.Store.AuditLogPath, victim);
        var before = fixture.StoreBytes();

        var e = Assertions.ThrowsError(ApiTokenErrors.StoreUnsafe, ErrorKind.SecurityError, () => fixture.AsAdmin().Issue("second"));

        Assert.Equal(fixture.Store.AuditLogPath, e.Target);
        Assert.Contains("symbolic link", e.Message);
        Assert.Equal("precious\n", File.ReadAllText(victim));
        Assert.Equal(before, fixture.StoreBytes());
        Assertions.ThrowsError(ApiTokenErrors.StoreUnsafe, ErrorKind.SecurityError, () => fixture.AsAdmin().ReadAuditLog(out _));
    }

    [Fact]
    public void A_store_file_that_is_a_link_is_not_followed()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        using var fixture = new StoreFixture();
        fixture.AsAdmin().Issue("first");
        var elsewhere = Path.Combine(Path.GetDirectoryName(fixture.StorePath)!, "elsewhere.json");
        File.Move(fixture.Store.FilePath, elsewhere);
        File.CreateSymbolicLink(fixture.Store.FilePath, elsewhere);

        var e = Assertions.ThrowsError(ApiTokenErrors.StoreUnsafe, ErrorKind.SecurityError, () => fixture.AsAdmin().List());
        Assert.Equal(fixture.Store.FilePath, e.Target);
        Assertions.ThrowsError(ApiTokenErrors.StoreUnsafe, ErrorKind.SecurityError, () => fixture.Validator().Validate(ApiTokenValue.Generate(System.Security.Cryptography.RandomNumberGenerator.Create())));
    }

    [Fact]
    public async Task A_fifo_planted_as_the_store_file_is_refused_at_once_without_hanging()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        using var fixture = new StoreFixture();
        fixture.AsAdmin().Issue("first");
        File.Delete(fixture.Store.FilePath);
        Run("mkfifo", fixture.Store.FilePath);

        var check = Task.Run(() => fixture.Validator().Validate(ApiTokenValue.Generate(System.Security.Cryptography.RandomNumberGenerator.Create())));

        var finished = await Task.WhenAny(check, Task.Delay(TimeSpan.FromSeconds(20)));
        Assert.True(finished == check, "validation hung on a FIFO");
        var e = await Assert.ThrowsAsync<MdApiTokensException>(() => check);
        Assert.Equal(ApiTokenErrors.StoreUnsafe, e.ErrorId);
        Assert.Contains("not a regular file", e.Message);
    }

    [Fact]
    public void A_device_as_the_store_file_is_refused()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        using var fixture = new StoreFixture();
        fixture.AsAdmin().Issue("first");
        File.Delete(fixture.Store.FilePath);
        if (!TryRun("mknod", fixture.Store.FilePath, "c", "1", "5"))
        {
            return; // no CAP_MKNOD here: the FIFO test covers the non-regular path
        }

        Assertions.ThrowsError(ApiTokenErrors.StoreUnsafe, ErrorKind.SecurityError, () => fixture.AsAdmin().List());
    }

    [Theory]
    [InlineData("folder")]
    [InlineData("store file")]
    [InlineData("audit log")]
    public void A_world_writable_store_is_refused_naming_the_path_and_the_fix(string what)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        using var fixture = new StoreFixture();
        fixture.AsAdmin().Issue("first");
        var path = what switch { "folder" => fixture.StorePath, "store file" => fixture.Store.FilePath, _ => fixture.Store.AuditLogPath };
        File.SetUnixFileMode(path, File.GetUnixFileMode(path) | UnixFileMode.OtherWrite);
        var before = fixture.StoreBytes();

        var e = Assertions.ThrowsError(ApiTokenErrors.StoreUnsafe, ErrorKind.SecurityError,
            () => { fixture.AsAdmin().Issue("second"); fixture.AsAdmin().ReadAuditLog(out _); });

        Assert.Equal(path, e.Target);
        Assert.Contains(path, e.Message);
        Assert.Contains("chmod o-w", e.RecommendedAction);
        Assert.Equal(before, fixture.StoreBytes());
    }

    [Fact]
    public void A_store_file_over_the_stated_size_is_a_module_error_and_stays_as_it_was()
    {
        using var fixture = new StoreFixture();
        fixture.AsAdmin().Issue("first");
        using (var stream = new FileStream(fixture.Store.FilePath, FileMode.Open, FileAccess.Write))
        {
            stream.SetLength(ApiTokenStore.MaxFileBytes + 1L); // sparse: no disk used
        }

        var e = Assertions.ThrowsError(ApiTokenErrors.StoreTooLarge, ErrorKind.LimitsExceeded, () => fixture.Validator().Validate(ApiTokenValue.Generate(System.Security.Cryptography.RandomNumberGenerator.Create())));
        Assert.Contains("64 MiB", e.Message);
        Assertions.ThrowsError(ApiTokenErrors.StoreTooLarge, ErrorKind.LimitsExceeded, () => fixture.AsAdmin().Issue("second"));
        Assert.Equal(ApiTokenStore.MaxFileBytes + 1L, new FileInfo(fixture.Store.FilePath).Length);
    }

    [Fact]
    public void A_store_saved_with_a_utf8_byte_order_mark_is_read()
    {
        using var fixture = new StoreFixture();
        var issued = fixture.AsAdmin().Issue("first");
        File.WriteAllBytes(fixture.Store.FilePath, new byte[] { 0xEF, 0xBB, 0xBF }.Concat(fixture.StoreBytes()).ToArray());

        Assert.True(fixture.Validator().Validate(issued.Token).IsValid);
        fixture.AsAdmin().Issue("second");
        Assert.Equal(2, fixture.AsAdmin().List().Count);
    }

    private static void Run(string file, params string[] args) => Assert.True(TryRun(file, args), $"{file} failed");

    private static bool TryRun(string file, params string[] args)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info)!;
        process.WaitForExit();
        return process.ExitCode == 0;
    }
}
