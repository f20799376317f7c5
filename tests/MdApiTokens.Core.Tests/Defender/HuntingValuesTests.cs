using System.Text.Json;
using MdApiTokens.Core.Defender;
using MdApiTokens.Core.Shared;

namespace MdApiTokens.Core.Tests.Defender;

public class HuntingValuesTests
{
    public static TheoryData<string, string, object?> Typed() => new()
    {
        { "\"2026-01-10T12:00:00.1234567Z\"", "DateTime", new DateTime(2026, 1, 10, 12, 0, 0, DateTimeKind.Utc).AddTicks(1234567) },
        { "\"2026-01-10T14:00:00+02:00\"", "datetime", new DateTime(2026, 1, 10, 12, 0, 0, DateTimeKind.Utc) },
        { "\"2026-01-10T12:00:00\"", "DateTime", new DateTime(2026, 1, 10, 12, 0, 0, DateTimeKind.Utc) },
        { "42", "Int", 42 },
        { "\"42\"", "Int32", 42 },
        { "5000000000", "Long", 5_000_000_000L },
        { "\"9223372036854775807\"", "Int64", long.MaxValue },
        { "0.25", "Double", 0.25 },
        { "\"NaN\"", "real", double.NaN },
        { "1.10", "Decimal", 1.10m },
        { "true", "Boolean", true },
        { "0", "bool", false },
        { "\"False\"", "Boolean", false },
        { "1", "SByte", true },
        { "\"text\"", "String", "text" },
        { "\"5d1f2a8e-0000-4000-8000-000000000001\"", "Guid", Guid.Parse("5d1f2a8e-0000-4000-8000-000000000001") },
        { "\"01:02:03\"", "TimeSpan", new TimeSpan(1, 2, 3) },
        { "\"PT90S\"", "timespan", TimeSpan.FromSeconds(90) },
        { "\"plain words\"", "Dynamic", "plain words" },
        { "12", "Dynamic", 12L },
        { "\"x\"", "SomeNewType", "x" },
        { "null", "Int", null },
    };

    [Theory]
    [MemberData(nameof(Typed))]
    public void Each_schema_type_gives_its_NET_type(string json, string type, object? expected)
    {
        using var document = JsonDocument.Parse(json);

        var value = HuntingValues.Convert(document.RootElement, type, out var fits);

        Assert.True(fits);
        Assert.Equal(expected, value);
        Assert.Equal(expected?.GetType(), value?.GetType());
    }

    [Theory]
    [InlineData("\"{\\\"Command\\\":\\\"whoami\\\",\\\"Ports\\\":[80,443]}\"")]
    [InlineData("{\"Command\":\"whoami\",\"Ports\":[80,443]}")]
    [InlineData("\"  {\\\"Command\\\":\\\"whoami\\\",\\\"Ports\\\":[80,443]}\"")]
    public void Dynamic_as_JSON_text_or_nested_JSON_is_the_same_parsed_value(string json)
    {
        using var document = JsonDocument.Parse(json);

        var value = Assert.IsType<Dictionary<string, object?>>(HuntingValues.Convert(document.RootElement, "Dynamic", out var fits));

        Assert.True(fits);
        Assert.Equal("whoami", value["Command"]);
        Assert.Equal(new object[] { 80L, 443L }, (object?[])value["Ports"]!);
    }

    [Fact]
    public void Dynamic_text_that_only_looks_like_JSON_stays_text()
    {
        using var document = JsonDocument.Parse("\"{not json\"");

        Assert.Equal("{not json", HuntingValues.Convert(document.RootElement, "Dynamic", out var fits));
        Assert.True(fits);
    }

    [Theory]
    [InlineData("\"many\"", "Int", "many")]
    [InlineData("5000000000", "Int", 5_000_000_000L)]
    [InlineData("1.5", "Long", 1.5)]
    [InlineData("42", "DateTime", 42L)]
    [InlineData("\"yes\"", "Boolean", "yes")]
    [InlineData("7", "String", 7L)]
    [InlineData("\"not-a-guid\"", "Guid", "not-a-guid")]
    public void A_value_that_does_not_fit_its_type_is_kept_as_sent_and_flagged(string json, string type, object expected)
    {
        using var document = JsonDocument.Parse(json);

        var value = HuntingValues.Convert(document.RootElement, type, out var fits);

        Assert.False(fits);
        Assert.Equal(expected, value);
    }

    [Theory]
    [InlineData("https://graph.microsoft.com", true)]
    [InlineData("https://graph.microsoft.com/", true)]
    [InlineData("00000003-0000-0000-c000-000000000000", true)]
    [InlineData("https://graph.microsoft.us", true)]
    [InlineData("https://dod-graph.microsoft.us/", true)]
    [InlineData("https://api.security.microsoft.com", false)]
    [InlineData("8ee8fdad-f234-4243-8f3b-15c294843740", false)]
    [InlineData("https://graph.microsoft.com.evil.example.com", false)]
    public void The_Graph_route_is_taken_only_for_a_Graph_audience(string audience, bool graph)
    {
        Assert.Equal(graph, MicrosoftGraphEndpoint.IsGraphAudience(new[] { audience }));
    }

    [Fact]
    public void Graph_hosts_follow_the_cloud()
    {
        Assert.Equal("https://graph.microsoft.com/", MicrosoftGraphEndpoint.Resolve(null, AzureCloud.USGov).ToString());
        Assert.Equal("https://graph.microsoft.us/", MicrosoftGraphEndpoint.Resolve(null, AzureCloud.USGovHigh).ToString());
        Assert.Equal("https://dod-graph.microsoft.us/", MicrosoftGraphEndpoint.Resolve(null, AzureCloud.USGovDoD).ToString());
        Assert.Equal(DefenderErrors.InsecureApiUri, Assert.Throws<MdApiTokensException>(() => MicrosoftGraphEndpoint.Resolve(new Uri("http://graph.example.com"), null)).ErrorId);
    }

    [Fact]
    public void Hunting_options_pace_45_calls_a_minute_wait_four_minutes_and_read_up_to_128_MiB()
    {
        var options = DefenderHuntingClient.ConfigureOptions(new DefenderClientOptions(), null, null);

        Assert.Same(DefenderHuntingClient.SharedPacer, options.Pacer);
        Assert.Equal(45, options.Pacer.Limits[0].Calls);
        Assert.Equal(TimeSpan.FromMinutes(1), options.Pacer.Limits[0].Window);
        Assert.Equal(TimeSpan.FromMinutes(4), options.RequestTimeout);
        Assert.Equal(128L * 1024 * 1024, options.MaxResponseBytes);
    }
}
