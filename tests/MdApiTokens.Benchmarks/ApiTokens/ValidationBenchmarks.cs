using BenchmarkDotNet.Attributes;
using MdApiTokens.Core;
using MdApiTokens.Core.ApiTokens;

namespace MdApiTokens.Benchmarks.ApiTokens;

/// <summary>
/// Test-ApiToken's read path against stores of different sizes: a valid token whose use is already recorded (no
/// write, the steady state of a busy service that keeps one validator), an unknown token, and a mistyped one (right
/// length and alphabet, wrong checksum: rejected before the store is read). IssueAndRevoke is the write path, twice: lock, read, serialize, fsync, atomic swap, audit append; revoking
/// keeps the store at its size between operations.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 15)]
public class ValidationBenchmarks
{
    private string _folder = "";
    private ApiTokenValidator _validator = null!;
    private ApiTokenService _service = null!;
    private string _valid = "";
    private string _unknown = "";
    private string _typo = "";

    [Params(10, 1000)]
    public int TokensInStore { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _folder = Path.Combine(Path.GetTempPath(), "mdat-bench", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_folder);
        var store = new ApiTokenStore(Path.Combine(_folder, "store"));
        _service = new ApiTokenService(store, SystemClock.Instance, "bench");
        for (var i = 0; i < TokensInStore - 1; i++)
        {
            _service.Issue("t" + i);
        }

        _valid = _service.Issue("probe").Token;
        _validator = new ApiTokenValidator(store, SystemClock.Instance);
        _validator.Validate(_valid); // records the first use: later checks are reads only
        using var rng = System.Security.Cryptography.RandomNumberGenerator.Create();
        _unknown = ApiTokenValue.Generate(rng);
        _typo = _valid.Substring(0, _valid.Length - 1) + (_valid[_valid.Length - 1] == 'a' ? 'b' : 'a');
    }

    [GlobalCleanup]
    public void Cleanup() => Directory.Delete(_folder, recursive: true);

    [Benchmark(Baseline = true)]
    public bool ValidToken() => _validator.Validate(_valid).IsValid;

    [Benchmark]
    public bool UnknownToken() => _validator.Validate(_unknown).IsValid;

    [Benchmark]
    public bool MistypedToken() => _validator.Validate(_typo).IsValid;

    [Benchmark]
    public string IssueAndRevoke() => _service.Revoke(_service.Issue("bench-write").Id).Id;
}
