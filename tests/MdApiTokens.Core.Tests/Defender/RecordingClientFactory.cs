using MdApiTokens.Core.Defender;
using MdApiTokens.Testing.Defender;
using MdApiTokens.Tests.Shared;

namespace MdApiTokens.Core.Tests.Defender;

/// <summary>Incidents clients for the loopback fake whose waits are recorded and move a manual clock instead of sleeping.</summary>
internal sealed class RecordingClientFactory
{
    public const string Tenant = "00000000-0000-0000-0000-0000000000aa";

    private readonly FakeDefenderApi _fake;

    public RecordingClientFactory(FakeDefenderApi fake) => _fake = fake;

    public ManualClock Clock { get; } = new(FakeDefenderApi.Epoch);

    public List<TimeSpan> Waits { get; } = new();

    public List<string> Log { get; } = new();

    public DefenderIncidentClient Create(Action<DefenderClientOptions>? configure = null, string? tenant = Tenant)
    {
        var options = new DefenderClientOptions
        {
            Clock = Clock,
            Delay = (wait, _) =>
            {
                lock (Waits)
                {
                    Waits.Add(wait);
                }

                Clock.Advance(wait);
                return Task.CompletedTask;
            },
            Pacer = new DefenderRequestPacer(),
            Retry = new DefenderRetryPolicy { Random = () => 0.5 },
            Log = line =>
            {
                lock (Log)
                {
                    Log.Add(line);
                }
            },
        };
        configure?.Invoke(options);
        return new DefenderIncidentClient(_fake.BaseUri, TestJwt.Create(tenant ?? Tenant), tenant, new SocketsHttpHandler { AllowAutoRedirect = false }, options);
    }

    public async Task<List<DefenderIncident>> ListAll(DefenderIncidentQuery query, Action<DefenderClientOptions>? configure = null)
    {
        using var client = Create(configure);
        var pager = client.ListIncidents(query);
        var all = new List<DefenderIncident>();
        while (await pager.NextPageAsync(CancellationToken.None) is { } page)
        {
            all.AddRange(page);
        }

        return all;
    }
}
