using System.Diagnostics;
using MdApiTokens.Core.ApiTokens;

namespace MdApiTokens.Core.Tests.Store;

/// <summary>
/// Entry point of this test assembly when a test starts it as a child process, so concurrency and crash tests run
/// against real separate processes: <c>dotnet MdApiTokens.Core.Tests.dll issue|churn &lt;store&gt; ...</c>.
/// </summary>
public static class StoreWorker
{
    private static readonly object s_copyGate = new();
    private static string? s_sharedCopy;

    public static int Main(string[] args)
    {
        var store = new ApiTokenStore(args[1], lockTimeout: TimeSpan.FromMinutes(2));
        var service = new ApiTokenService(store, SystemClock.Instance, "alice");
        switch (args[0])
        {
            case "issue":
                // issue <store> <prefix> <count>: issue tokens and validate each once.
                // Waits for the lock to record each use like the changes do: this checks that no recorded use is lost.
                var validator = new ApiTokenValidator(store, SystemClock.Instance, useRecordingLockWait: TimeSpan.FromMinutes(2));
                for (var i = 0; i < int.Parse(args[3]); i++)
                {
                    var token = service.Issue($"{args[2]}-{i}");
                    if (!validator.Validate(token.Token).IsValid)
                    {
                        return 3;
                    }
                }

                return 0;

            case "churn":
                // churn <store>: issue and revoke forever, announcing the first completed change; the parent kills it.
                for (var i = 0; ; i++)
                {
                    var token = service.Issue($"churn-{Environment.ProcessId}-{i}");
                    if (i % 2 == 0)
                    {
                        service.Revoke(token.Id);
                    }

                    if (i == 0)
                    {
                        Console.WriteLine("ready");
                        Console.Out.Flush();
                    }
                }

            case "revoke":
                // revoke <store> <id>: revokes one token as alice.
                service.Revoke(args[2]);
                return 0;

            case "validate":
                // validate <store> <token>: one check with the default lock timeout; prints the reason.
                Console.WriteLine(new ApiTokenValidator(store, SystemClock.Instance).Validate(args[2]).Reason);
                return 0;

            case "hold":
                // hold <store>: holds the store lock, announces it, and releases it when stdin closes.
                using (new FileStream(store.LockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None))
                {
                    Console.WriteLine("held");
                    Console.Out.Flush();
                    Console.In.ReadToEnd();
                }

                return 0;

            default:
                return 2;
        }
    }

    /// <summary>Starts this assembly as a worker process.</summary>
    public static Process Start(params string[] args) => StartAs(null, args);

    /// <summary>Starts this assembly as a worker process running as <paramref name="user"/> (through runuser; root only), or as this account when null.</summary>
    public static Process StartAs(string? user, params string[] args)
    {
        var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        if (string.IsNullOrEmpty(dotnet) || !File.Exists(dotnet))
        {
            dotnet = Process.GetCurrentProcess().MainModule?.FileName is { } host && Path.GetFileNameWithoutExtension(host) == "dotnet" ? host : "dotnet";
        }

        var info = new ProcessStartInfo(user is null ? dotnet : "runuser") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (user is not null && !OperatingSystem.IsWindows())
        {
            info.ArgumentList.Add("-u");
            info.ArgumentList.Add(user);
            info.ArgumentList.Add("--");
            info.ArgumentList.Add(dotnet);
            // The other account gets a temp folder of its own (this assembly's start-up writes there).
            var temp = Directory.CreateTempSubdirectory("mdat-worker-").FullName;
            File.SetUnixFileMode(temp, (UnixFileMode)Convert.ToInt32("777", 8));
            info.Environment["TMPDIR"] = temp;
            info.Environment["HOME"] = temp;
            info.Environment["DOTNET_CLI_HOME"] = temp;
        }

        info.ArgumentList.Add(user is not null && !OperatingSystem.IsWindows() ? SharedCopy() : typeof(StoreWorker).Assembly.Location);
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        return Process.Start(info) ?? throw new InvalidOperationException("could not start worker");
    }

    // Another account cannot reach the build output when a folder above it is private (a clone made with mktemp -d
    // is 0700): it runs a copy of it in a temporary folder every account can read.
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    private static string SharedCopy()
    {
        lock (s_copyGate)
        {
            return s_sharedCopy ??= CopyForEveryAccount();
        }
    }

    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    private static string CopyForEveryAccount()
    {
        var source = Path.GetDirectoryName(typeof(StoreWorker).Assembly.Location)!;
        var copy = Directory.CreateTempSubdirectory("mdat-worker-bin-").FullName;
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try
            {
                Directory.Delete(copy, recursive: true);
            }
            catch (IOException)
            {
            }
        };
        var readable = (UnixFileMode)Convert.ToInt32("755", 8);
        File.SetUnixFileMode(copy, readable);
        foreach (var directory in Directory.EnumerateDirectories(source, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(copy, Path.GetRelativePath(source, directory));
            Directory.CreateDirectory(target);
            File.SetUnixFileMode(target, readable);
        }

        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(copy, Path.GetRelativePath(source, file));
            File.Copy(file, target);
            File.SetUnixFileMode(target, (UnixFileMode)Convert.ToInt32("644", 8));
        }

        return Path.Combine(copy, Path.GetFileName(typeof(StoreWorker).Assembly.Location));
    }
}
