using System.Text.Json.Nodes;
using MdApiTokens.Core.Defender;
using MdApiTokens.Testing.Defender;

namespace MdApiTokens.Core.Tests.Defender;

[CollectionDefinition(nameof(LocalTimeZoneCollection), DisableParallelization = true)]
public sealed class LocalTimeZoneCollection
{
}

/// <summary>Times from the API on a machine whose local time is not UTC (the process's zone is changed, so nothing runs beside these).</summary>
[Collection(nameof(LocalTimeZoneCollection))]
public sealed class DefenderTimeZoneTests : IAsyncLifetime
{
    private readonly string? _previousZone = Environment.GetEnvironmentVariable("TZ");
    private FakeDefenderApi _fake = null!;

    public async Task InitializeAsync()
    {
        Environment.SetEnvironmentVariable("TZ", "America/New_York");
        TimeZoneInfo.ClearCachedData();
        _fake = await FakeDefenderApi.StartAsync();
    }

    public async Task DisposeAsync()
    {
        Environment.SetEnvironmentVariable("TZ", _previousZone);
        TimeZoneInfo.ClearCachedData();
        await _fake.DisposeAsync();
    }

    [Fact]
    public async Task Times_without_an_offset_are_utc_and_times_with_one_keep_it()
    {
        Assert.NotEqual(TimeSpan.Zero, TimeZoneInfo.Local.GetUtcOffset(new DateTime(2026, 1, 10)));
        var incident = FakeDefenderApi.Incident(1);
        incident["createdTime"] = "2026-01-10T12:00:00";
        incident["lastUpdateTime"] = "2026-01-10T14:00:00+02:00";
        incident["alerts"]![0]!["creationTime"] = "2026-01-10T12:00:00.1234567";
        _fake.Next.Enqueue(FakeDefenderApi.Raw(new JsonObject { ["value"] = new JsonArray(incident) }.ToJsonString()));

        var read = Assert.Single(await new RecordingClientFactory(_fake).ListAll(new DefenderIncidentQuery()));

        Assert.Equal(new DateTimeOffset(2026, 1, 10, 12, 0, 0, TimeSpan.Zero), read.CreatedTime);
        Assert.Equal(TimeSpan.Zero, read.CreatedTime!.Value.Offset);
        Assert.Equal(new DateTimeOffset(2026, 1, 10, 12, 0, 0, TimeSpan.Zero), read.LastUpdateTime);
        Assert.Equal(TimeSpan.FromHours(2), read.LastUpdateTime!.Value.Offset);
        Assert.Equal(new DateTimeOffset(2026, 1, 10, 12, 0, 0, TimeSpan.Zero).AddTicks(1234567), read.Alerts[0].CreationTime);
    }
}
