using System.Diagnostics;
using MdApiTokens.Core.ApiTokens;
using MdApiTokens.Core.Store;

namespace MdApiTokens.Core.Tests.Store;

/// <summary>
/// Entry point of this test assembly when a test starts it as a child process, so concurrency and crash tests run
/// against real separate processes: <c>dotnet MdApiTokens.Core.Tests.dll issue|churn &lt;store&gt; ...</c>.
/// </summary>
public static class StoreWorker
{
    public static int Main(string[] args)
    {
        var store = new ApiTokenStore(args[1], lockTimeout: TimeSpan.FromMinutes(2));
        var service = new ApiTokenService(store, SystemClock.Instance, "alice");
        switch (args[0])
        {
            case "issue":
                // issue <store> <prefix> <count>: issue tokens and validate each once.
                var validator = new ApiTokenValidator(store, SystemClock.Instance);
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

            default:
                return 2;
        }
    }

    /// <summary>Starts this assembly as a worker process.</summary>
    public static Process Start(params string[] args)
    {
        var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        if (string.IsNullOrEmpty(dotnet) || !File.Exists(dotnet))
        {
            dotnet = Process.GetCurrentProcess().MainModule?.FileName is { } host && Path.GetFileNameWithoutExtension(host) == "dotnet" ? host : "dotnet";
        }

        var info = new ProcessStartInfo(dotnet) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(typeof(StoreWorker).Assembly.Location);
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        return Process.Start(info) ?? throw new InvalidOperationException("could not start worker");
    }
}
