using System.Text;
using MdApiTokens.Core.Defender;
using MdApiTokens.Testing.Defender;
using MdApiTokens.Tests.Shared;

namespace MdApiTokens.Core.Tests.Defender;

public class DefenderApiRequestTests
{
    private static readonly Uri s_api = new("https://api.security.microsoft.com/");

    [Theory]
    [InlineData("https://api.security.microsoft.com/api/incidents")]
    [InlineData("https://eu.api.security.microsoft.com/api/incidents")]
    [InlineData("https://api-gcc.security.microsoft.us/api/incidents")]
    [InlineData("https://api-gov.security.microsoft.us/api/incidents")]
    [InlineData("https://api.securitycenter.microsoft.com/api/machines")]
    [InlineData("https://api-us.securitycenter.microsoft.com/api/machines")]
    [InlineData("https://api-eu3.securitycenter.microsoft.com/api/machines")]
    [InlineData("https://api-gcc.securitycenter.microsoft.us/api/machines")]
    [InlineData("https://api-gov.securitycenter.microsoft.us/api/machines")]
    [InlineData("https://api.securitycenter.windows.com/api/machines")]
    public void Defender_API_hosts_are_allowed(string uri)
    {
        Assert.True(DefenderApiRequest.IsDefenderHost(new Uri(uri)));
        var (apiBase, target) = DefenderApiRequest.Resolve(s_api, apiBaseGiven: false, null, new Uri(uri));
        Assert.Equal(new Uri(uri).GetLeftPart(UriPartial.Authority) + "/", apiBase.ToString());
        Assert.Equal(uri, target.ToString());
    }

    [Theory]
    [InlineData("http://api.security.microsoft.com/api/incidents")]
    [InlineData("https://security.microsoft.com/api/incidents")]
    [InlineData("https://evil.api.security.microsoft.com.example.com/api")]
    [InlineData("https://apievil.security.microsoft.com/api")]
    [InlineData("https://graph.microsoft.com/v1.0/security/incidents")]
    [InlineData("https://login.microsoftonline.com/common")]
    [InlineData("https://notsecurity.microsoft.com/api")]
    [InlineData("https://api.security.microsoft.com.attacker.net/api")]
    public void Other_hosts_are_not_Defender_hosts(string uri)
    {
        Assert.False(DefenderApiRequest.IsDefenderHost(new Uri(uri)));
    }

    [Fact]
    public void A_user_info_part_is_refused_even_on_a_Defender_host()
    {
        var e = Assert.ThrowsAny<MdApiTokensException>(() => DefenderApiRequest.Resolve(s_api, false, null, new Uri("https://user:s3cr3tvalue@api.security.microsoft.com/api/incidents")));
        Assert.Equal(DefenderApiRequestErrors.PathInvalid, e.ErrorId);
        Assert.DoesNotContain("s3cr3tvalue", e.Message + e.Target + e.RecommendedAction);
    }

    [Theory]
    [InlineData("api/machines?$top=10", "https://api.security.microsoft.com/api/machines?$top=10")]
    [InlineData("/api/alerts", "https://api.security.microsoft.com/api/alerts")]
    public void A_path_goes_under_the_API_base(string path, string expected)
    {
        Assert.Equal(expected, DefenderApiRequest.Resolve(s_api, false, path, null).Target.ToString());
    }

    [Theory]
    [InlineData("")]
    [InlineData("https://evil.example.com/x")]
    [InlineData("//evil.example.com/x")]
    [InlineData("\\\\evil\\x")]
    [InlineData("../x")]
    public void A_path_that_is_absolute_or_climbs_out_is_refused(string path)
    {
        var e = Assert.ThrowsAny<MdApiTokensException>(() => DefenderApiRequest.Resolve(new Uri("https://api.security.microsoft.com/base/"), false, path, null));
        Assert.Equal(DefenderApiRequestErrors.PathInvalid, e.ErrorId);
    }

    [Fact]
    public void Objects_are_written_as_JSON_with_times_in_ISO_8601_and_enums_by_name()
    {
        var body = new Dictionary<string, object?>
        {
            ["Comment"] = "isolate \"now\"",
            ["When"] = new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero),
            ["Kind"] = DayOfWeek.Monday,
            ["Ids"] = new List<object?> { 1, 2L, 3.5m, null },
            ["Nested"] = new[] { new KeyValuePair<string, object?>("ok", true) },
        };

        var json = Encoding.UTF8.GetString(DefenderApiRequest.JsonBody((object?)body));

        Assert.Equal("{\"Comment\":\"isolate \\u0022now\\u0022\",\"When\":\"2026-01-02T03:04:05.0000000\\u002B00:00\",\"Kind\":\"Monday\",\"Ids\":[1,2,3.5,null],\"Nested\":{\"ok\":true}}", json);
    }

    [Fact]
    public void A_JSON_string_is_checked_and_sent_byte_for_byte()
    {
        Assert.Equal("{ \"a\" : 1 }", Encoding.UTF8.GetString(DefenderApiRequest.JsonBody("{ \"a\" : 1 }")));
        Assert.Equal(DefenderApiRequestErrors.BodyInvalid, Assert.Throws<MdApiTokensException>(() => DefenderApiRequest.JsonBody("{\"a\":")).ErrorId);
    }

    [Fact]
    public void A_body_nested_beyond_64_levels_or_of_an_unknown_type_is_refused()
    {
        object? deep = "leaf";
        for (var i = 0; i < 70; i++)
        {
            deep = new List<object?> { deep };
        }

        Assert.Equal(DefenderApiRequestErrors.BodyInvalid, Assert.Throws<MdApiTokensException>(() => DefenderApiRequest.JsonBody(deep)).ErrorId);
        Assert.Equal(DefenderApiRequestErrors.BodyInvalid, Assert.Throws<MdApiTokensException>(() => DefenderApiRequest.JsonBody((object?)new object())).ErrorId);
    }

    [Fact]
    public async Task A_hunting_answer_larger_than_the_size_limit_is_not_read_further()
    {
        await using var fake = await FakeHuntingApi.StartAsync();
        var body = "{\"Schema\":[],\"Results\":[" + string.Join(",", Enumerable.Repeat("{\"x\":\"" + new string('a', 1000) + "\"}", 2000)) + "]}";
        fake.Next.Enqueue(FakeDefenderApi.Raw(body));
        var options = DefenderHuntingClient.ConfigureOptions(new DefenderClientOptions { Delay = (_, _) => Task.CompletedTask }, new DefenderRequestPacer(), null);
        options.MaxResponseBytes = 1024 * 1024;
        using var client = new DefenderHuntingClient(fake.BaseUri, fake.BaseUri, TestJwt.Create("00000000-0000-0000-0000-0000000000aa"), null, new SocketsHttpHandler(), options);

        var e = await Assert.ThrowsAsync<DefenderApiException>(() => client.RunAsync("T | take 2000", null, row => row, CancellationToken.None));

        Assert.Equal(DefenderErrors.ResponseTooLarge, e.ErrorId);
    }
}
