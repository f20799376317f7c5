using System.Text;
using System.Text.Json;
using MdApiTokens.Core.Defender;

namespace MdApiTokens.Core.Tests.Defender;

/// <summary>The source-generated reading of the API's JSON: shared names, lazy values, unknown fields kept.</summary>
public sealed class DefenderJsonTests
{
    [Fact]
    public void Enum_like_values_are_one_shared_string_across_incidents()
    {
        var page = Read("""{"value":[{"incidentId":1,"status":"Active","severity":"High"},{"incidentId":2,"status":"Active","severity":"High"}]}""");

        Assert.Same(page.Value![0].Status, page.Value[1].Status);
        Assert.Same(page.Value[0].Severity, page.Value[1].Severity);
        Assert.Equal("Active", page.Value[1].Status);
    }

    [Fact]
    public void More_distinct_values_than_are_shared_are_still_read_whole()
    {
        var incidents = string.Join(",", Enumerable.Range(1, 100).Select(i => $$"""{"incidentId":{{i}},"detectionSource":"Source\u0020{{i}}"}"""));

        var page = Read($$"""{"value":[{{incidents}}]}""");

        Assert.Equal(Enumerable.Range(1, 100).Select(i => $"Source {i}"), page.Value!.Select(i => i.DetectionSource));
    }

    [Fact]
    public void The_incident_uri_is_parsed_when_read_and_a_bad_one_is_null_not_a_failure()
    {
        var page = Read("""{"value":[{"incidentId":1,"incidentUri":"https://security.microsoft.com/incidents/1"},{"incidentId":2,"incidentUri":"not a uri"}]}""");

        Assert.Equal(new Uri("https://security.microsoft.com/incidents/1"), page.Value![0].IncidentUri);
        Assert.Null(page.Value[1].IncidentUri);
    }

    [Fact]
    public void Unknown_fields_are_kept_and_converted_when_first_read()
    {
        var incident = Read("""{"value":[{"incidentId":1,"impactScore":42,"systemTags":{"source":"fake"}}]}""").Value![0];

        Assert.Equal(42L, incident.AdditionalProperties["impactScore"]);
        Assert.Same(incident.AdditionalProperties, incident.AdditionalProperties);
    }

    private static IncidentPage Read(string json) =>
        JsonSerializer.Deserialize(Encoding.UTF8.GetBytes(json), DefenderJsonContext.Default.IncidentPage)!;
}
