using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using MdApiTokens.Core.Defender;
using MdApiTokens.Core.Shared;

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

    [Fact]
    public void An_escaped_enum_like_value_is_the_same_shared_string_as_a_plain_one()
    {
        var page = Read("""{"value":[{"incidentId":1,"status":"Active"},{"incidentId":2,"status":"Act\u0069ve"},{"incidentId":3,"status":"Active"}]}""");

        Assert.Equal("Active", page.Value![1].Status);
        Assert.Same(page.Value[0].Status, page.Value[1].Status);
        Assert.Same(page.Value[0].Status, page.Value[2].Status);
    }

    [Fact]
    public void Unknown_fields_of_every_kind_of_json_value_read_as_the_api_sent_them()
    {
        const string unknown = """
            {"text":"a\"b\\c\u00e9\n\t/","unicode":"ü€😀","int":-12,"long":12345678901234,"real":1.5e3,"huge":1e400,
             "yes":true,"no":false,"nothing":null,"emptyObject":{},"emptyArray":[ ],
             "nested":{"list":[1,"two",{"three":[3,[]]},null,true,-0.25],"inner":{"deep":{"deeper":"x"}}},
             "@odata.type":"#microsoft.graph.incident"}
            """;
        var sent = JsonDocument.Parse(unknown).RootElement;

        var incident = Read("""{"value":[{"incidentId":1,""" + unknown.Trim().Substring(1) + "]}").Value![0];

        var expected = sent.EnumerateObject().Where(p => !p.Name.StartsWith("@odata.", StringComparison.Ordinal))
            .ToDictionary(p => p.Name, p => JsonValues.ToPlain(p.Value));
        Assert.Equal(Canonical(expected), Canonical(incident.AdditionalProperties));
        Assert.Equal("a\"b\\c\u00e9\n\t/", incident.AdditionalProperties["text"]);
        Assert.Null(incident.AdditionalProperties["nothing"]);
    }

    [Fact]
    public void Many_unknown_fields_are_all_kept_and_one_sent_twice_counts_once_with_its_last_value()
    {
        var fields = string.Join(",", Enumerable.Range(1, 20).Select(i => $"\"f{i}\":{i}"));

        var incident = Read($$"""{"value":[{"incidentId":1,"twice":"first",{{fields}},"twice":"last"}]}""").Value![0];

        Assert.Equal(21, incident.AdditionalProperties.Count);
        Assert.Equal("last", incident.AdditionalProperties["twice"]);
        Assert.Equal(Enumerable.Range(1, 20).Select(i => (object?)(long)i), Enumerable.Range(1, 20).Select(i => incident.AdditionalProperties[$"f{i}"]));
    }

    [Fact]
    public void An_unknown_object_with_a_field_sent_twice_keeps_the_last_value()
    {
        var incident = Read("""{"value":[{"incidentId":1,"systemTags":{"source":"first","levels":[1],"source":"last"}}]}""").Value![0];

        var systemTags = Assert.IsAssignableFrom<IReadOnlyDictionary<string, object?>>(incident.AdditionalProperties["systemTags"]);
        Assert.Equal("last", systemTags["source"]);
        Assert.Equal(2, systemTags.Count);
    }

    [Fact]
    public void Unknown_fields_of_nested_objects_are_theirs_and_not_the_incidents()
    {
        var incident = Read("""
            {"value":[{"incidentId":1,"alerts":[{"alertId":"a","alertOnly":[1]}],"comments":[{"comment":"c","commentOnly":{"k":"v"}}]}]}
            """).Value![0];

        Assert.Empty(incident.AdditionalProperties);
        Assert.Equal(new object[] { 1L }, incident.Alerts[0].AdditionalProperties["alertOnly"]);
        Assert.Equal("v", ((IReadOnlyDictionary<string, object?>)incident.Comments[0].AdditionalProperties["commentOnly"]!)["k"]);
    }

    [Fact]
    public void A_device_id_sent_as_deviceId_is_the_DeviceId_and_not_an_unknown_field()
    {
        var devices = Read("""
            {"value":[{"incidentId":1,"alerts":[{"devices":[
              {"deviceId":"from-deviceId"},
              {"DeviceId":"from-DeviceId"},
              {"mdatpDeviceId":"from-mdatp","deviceId":"kept"},
              {"deviceId":42}]}]}]}
            """).Value![0].Alerts[0].Devices;

        Assert.Equal(new[] { "from-deviceId", "from-DeviceId", "from-mdatp", null }, devices.Select(d => d.DeviceId));
        Assert.Empty(devices[0].AdditionalProperties);
        Assert.Empty(devices[1].AdditionalProperties);
        Assert.Equal("kept", devices[2].AdditionalProperties["deviceId"]);
        Assert.Equal(42L, devices[3].AdditionalProperties["deviceId"]);
    }

    [Fact]
    public void Missing_null_and_empty_arrays_read_as_empty_and_elements_keep_their_order()
    {
        var incidents = Read("""
            {"value":[
              {"incidentId":1},
              {"incidentId":2,"tags":null,"comments":null,"alerts":null},
              {"incidentId":3,"tags":[],"comments":[],"alerts":[{"mitreTechniques":[],"devices":[],"entities":[]}]},
              {"incidentId":4,"tags":["a","b","c","d","e"],"alerts":[{"alertId":"x"},{"alertId":"y","mitreTechniques":["T1","T2"]}]}]}
            """).Value!;

        foreach (var incident in incidents.Take(3))
        {
            Assert.Empty(incident.Tags);
            Assert.Empty(incident.Comments);
        }

        Assert.Empty(incidents[1].Alerts);
        Assert.Empty(incidents[2].Alerts[0].MitreTechniques);
        Assert.Empty(incidents[2].Alerts[0].Entities);
        Assert.Equal(new[] { "a", "b", "c", "d", "e" }, incidents[3].Tags);
        Assert.Equal(new[] { "x", "y" }, incidents[3].Alerts.Select(a => a.AlertId));
        Assert.Equal(new[] { "T1", "T2" }, incidents[3].Alerts[1].MitreTechniques);
    }

    [Fact]
    public void A_null_element_of_an_array_is_read_as_null()
    {
        var page = Read("""{"value":[null,{"incidentId":1,"tags":["a",null],"alerts":[null,{"alertId":"b"}]}]}""");

        Assert.Null(page.Value![0]);
        Assert.Equal(new[] { "a", null }, page.Value[1].Tags);
        Assert.Null(page.Value[1].Alerts[0]);
        Assert.Equal("b", page.Value[1].Alerts[1].AlertId);
    }

    [Theory]
    [InlineData("""{"value":[{"incidentId":1,"tags":"fake"}]}""")]
    [InlineData("""{"value":[{"incidentId":1,"alerts":{"alertId":"a"}}]}""")]
    [InlineData("""{"value":{"incidentId":1}}""")]
    [InlineData("""{"value":[{"incidentId":1,"alerts":[{"devices":[1]}]}]}""")]
    public void An_array_field_that_is_not_an_array_of_its_kind_is_not_a_page(string json)
    {
        Assert.ThrowsAny<JsonException>(() => Read(json));
    }

    private static string Canonical(object? value) =>
        JsonSerializer.Serialize(value, new JsonSerializerOptions { NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals });

    private static IncidentPage Read(string json) =>
        JsonSerializer.Deserialize(Encoding.UTF8.GetBytes(json), DefenderJsonContext.Default.IncidentPage)!;
}
