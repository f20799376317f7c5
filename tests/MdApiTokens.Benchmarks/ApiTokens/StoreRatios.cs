using System.Diagnostics;
using System.Security.Cryptography;
using MdApiTokens.Core;
using MdApiTokens.Core.ApiTokens;

namespace MdApiTokens.Benchmarks.ApiTokens;

/// <summary>
/// The API token store against its anchors, each pair measured alternately in one process (a busy machine slows both
/// alike), medians printed with their ratio:
/// - ApiTokenValidator (a valid token whose use is recorded: the read path) on a 10,000-token store against a floor
///   that stats the store file, hashes the token and looks the hash up in a Dictionary;
/// - Issue on a 10,000-token store against Issue on a 10-token store;
/// - Issue then revoke (the store stays at its size, its revoked list grows) on the same two stores.
/// </summary>
public static class StoreRatios
{
    private const int Rounds = 31;
    private const int ChecksPerRound = 2_000;
    private const int IssueRounds = 41;

    public static int Run()
    {
        var root = Path.Combine(Path.GetTempPath(), "mdat-bench", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(root);
        try
        {
            var validation = Validation(Path.Combine(root, "validate"));
            var (issue, revoke) = Changes(Path.Combine(root, "small"), Path.Combine(root, "large"));
            return validation <= 2 && issue <= 10 && revoke <= 10 ? 0 : 1;
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private static double Validation(string folder)
    {
        var store = new ApiTokenStore(folder);
        var token = Fill(store, 10_000);
        var validator = new ApiTokenValidator(store, SystemClock.Instance);
        validator.Validate(token); // records the use: later checks only read

        // The floor: what any validator must do, with nothing of the store's own.
        var table = store.Read().Tokens.ToDictionary(t => t.Hash, StringComparer.Ordinal);
        bool Floor()
        {
            var file = new FileInfo(store.FilePath);
            return file.Length > 0 && table.TryGetValue(ApiTokenValue.ComputeHash(token), out _);
        }

        bool Validate() => validator.Validate(token).IsValid;

        var (floor, measured) = Alternate(Floor, Validate, ChecksPerRound, Rounds);
        Report("ApiTokenValidator, 10,000 tokens", "floor: stat + SHA-256 + Dictionary", floor * 1000, "validator", measured * 1000, "µs", 2);
        return measured / floor;
    }

    private static (double Issue, double Revoke) Changes(string smallFolder, string largeFolder)
    {
        var small = new ApiTokenService(new ApiTokenStore(smallFolder), SystemClock.Instance, "bench");
        var large = new ApiTokenService(new ApiTokenStore(largeFolder), SystemClock.Instance, "bench");
        Fill(small.Store, 10);
        Fill(large.Store, 10_000);
        var next = 0;
        var (few, many) = Alternate(() => small.Issue("i" + next++) is not null, () => large.Issue("i" + next++) is not null, 1, IssueRounds);
        Report("Issue", "10-token store", few, "10,000-token store", many, "ms", 10);
        bool IssueThenRevoke(ApiTokenService service) => service.Revoke(service.Issue("r" + next++).Id) is not null;
        var (fewBoth, manyBoth) = Alternate(() => IssueThenRevoke(small), () => IssueThenRevoke(large), 1, IssueRounds);
        Report("Issue then revoke", "10-token store", fewBoth, "10,000-token store", manyBoth, "ms", 10);
        Console.WriteLine($"store files: {new FileInfo(small.Store.FilePath).Length / 1024.0:0.0} KiB and {new FileInfo(large.Store.FilePath).Length / 1048576.0:0.00} MiB");
        return (many / few, manyBoth / fewBoth);
    }

    /// <summary>Creates a store of <paramref name="count"/> tokens in one change and returns the value of the last.</summary>
    private static string Fill(ApiTokenStore store, int count)
    {
        var service = new ApiTokenService(store, SystemClock.Instance, "bench");
        var probe = service.Issue("probe").Token;
        using var random = RandomNumberGenerator.Create();
        store.Update(tx =>
        {
            for (var i = 1; i < count; i++)
            {
                var value = ApiTokenValue.Generate(random);
                tx.Document.Tokens.Add(new ApiTokenRecord
                {
                    Id = i.ToString("x16"),
                    Name = "t" + i,
                    Issuer = "bench",
                    CreatedOn = DateTimeOffset.UtcNow,
                    Permissions = RolePolicy.AllowedPermissions(ApiTokenRole.GlobalAdmin).ToList(),
                    Hint = ApiTokenValue.Hint(value),
                    Hash = ApiTokenValue.ComputeHash(value),
                });
            }

            tx.MarkChanged();
            return 0;
        });
        return probe;
    }

    /// <summary>Median time per operation (ms) of each side, over rounds that alternate which side goes first.</summary>
    internal static (double Anchor, double Measured) Alternate(Func<bool> anchor, Func<bool> measured, int perRound, int rounds)
    {
        Time(anchor, perRound);
        Time(measured, perRound);
        var a = new List<double>();
        var m = new List<double>();
        for (var round = 0; round < rounds; round++)
        {
            if (round % 2 == 0)
            {
                a.Add(Time(anchor, perRound));
                m.Add(Time(measured, perRound));
            }
            else
            {
                m.Add(Time(measured, perRound));
                a.Add(Time(anchor, perRound));
            }
        }

        return (Median(a), Median(m));
    }

    internal static void Report(string what, string anchorName, double anchor, string measuredName, double measured, string unit, double bound)
    {
        var ratio = measured / anchor;
        Console.WriteLine($"| {what} | {anchorName}: {anchor:0.00} {unit} | {measuredName}: {measured:0.00} {unit} | {ratio:0.00}x | bound {bound}x: {(ratio <= bound ? "met" : "MISSED")} |");
    }

    private static double Time(Func<bool> action, int count)
    {
        var watch = Stopwatch.StartNew();
        for (var i = 0; i < count; i++)
        {
            if (!action())
            {
                throw new InvalidOperationException("the benchmarked operation failed");
            }
        }

        return watch.Elapsed.TotalMilliseconds / count;
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted[sorted.Length / 2];
    }
}
