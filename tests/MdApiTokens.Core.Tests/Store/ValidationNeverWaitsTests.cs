using MdApiTokens.Core.ApiTokens;
using MdApiTokens.Core.Store;

namespace MdApiTokens.Core.Tests.Store;

public class ValidationNeverWaitsTests
{
    [Fact]
    public void A_check_while_another_process_holds_the_lock_answers_and_records_the_use_later()
    {
        using var fixture = new StoreFixture();
        var issued = fixture.AsAdmin().Issue("siem");
        var before = fixture.StoreBytes();

        // The default 30 s lock timeout: waiting for the writer would end in ApiTokenStoreLocked, not an answer.
        var validator = new ApiTokenValidator(new ApiTokenStore(fixture.StorePath), fixture.Clock);
        using (var holder = StoreWorker.Start("hold", fixture.StorePath))
        {
            Assert.Equal("held", holder.StandardOutput.ReadLine());

            Assert.True(validator.Validate(issued.Token).IsValid);
            Assert.Equal(before, fixture.StoreBytes());

            holder.StandardInput.Close();
            Assert.True(holder.WaitForExit(60_000));
        }

        Assert.True(validator.Validate(issued.Token).IsValid);
        Assert.Equal(StoreFixture.Start, fixture.AsAdmin().List().Single().LastUsedOn);
    }

    [Fact]
    public void An_account_that_may_only_read_the_store_can_validate()
    {
        if (OperatingSystem.IsWindows() || Environment.UserName != "root" || !File.Exists("/usr/sbin/runuser"))
        {
            return; // needs a second account: run as root where runuser can switch to 'nobody'
        }

        using var fixture = new StoreFixture();
        var issued = fixture.AsAdmin().Issue("siem");
        var before = fixture.StoreBytes();
        for (var dir = fixture.StorePath; dir != Path.GetTempPath().TrimEnd('/') && dir.Length > 1; dir = Path.GetDirectoryName(dir)!)
        {
            File.SetUnixFileMode(dir, File.GetUnixFileMode(dir) | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        }

        File.SetUnixFileMode(fixture.Store.FilePath, File.GetUnixFileMode(fixture.Store.FilePath) | UnixFileMode.OtherRead);

        using var reader = StoreWorker.StartAs("nobody", "validate", fixture.StorePath, issued.Token);
        var output = reader.StandardOutput.ReadToEnd();
        Assert.True(reader.WaitForExit(60_000));

        Assert.True(reader.ExitCode == 0, $"exit {reader.ExitCode}: {reader.StandardError.ReadToEnd()}");
        Assert.Equal("Valid", output.Trim());
        Assert.Equal(before, fixture.StoreBytes());
    }
}
