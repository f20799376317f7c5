using System.Management.Automation;
using System.Text.Json.Nodes;
using MdApiTokens.Testing.Defender;

namespace MdApiTokens.Module.Tests.Defender;

public class SetDefenderIncidentTests : DefenderTestBase
{
    [Fact]
    public void Only_the_fields_given_are_sent_and_the_updated_incident_is_returned()
    {
        Fake.Incidents.Add(FakeDefenderApi.Incident(7));

        var result = Session.Command("Set-DefenderIncident", With(("IncidentId", 7L), ("Status", "Resolved"), ("Classification", "TruePositive"), ("Determination", "Phishing"), ("Comment", "Confirmed by the SOC"))).Succeeded();

        var request = Assert.Single(Fake.Requests);
        Assert.Equal("PATCH", request.Method);
        Assert.Equal("/api/incidents/7", request.Path);
        Assert.Equal(new JsonObject { ["status"] = "Resolved", ["classification"] = "TruePositive", ["determination"] = "Phishing", ["comment"] = "Confirmed by the SOC" }.ToJsonString(), request.Body);
        dynamic updated = Assert.Single(Incidents(result)).BaseObject;
        Assert.Equal("Resolved", (string)updated.Status);
        Assert.Equal("Confirmed by the SOC", (string)((IEnumerable<dynamic>)updated.Comments).Last().Text);
        Assert.Equal(new[] { "fake" }, (string[])updated.Tags);
        Assert.Equal(TenantA, (string)updated.TenantId);
    }

    [Fact]
    public void Tag_replaces_the_tags_and_an_empty_list_removes_them()
    {
        Fake.Incidents.Add(FakeDefenderApi.Incident(7));

        var replaced = Session.Command("Set-DefenderIncident", With(("IncidentId", 7L), ("Tag", new[] { "phish", "vip" }))).Succeeded().Output.Single();
        Assert.Equal(new[] { "phish", "vip" }, (string[])Prop(replaced, "Tags")!);
        Assert.Equal("{\"tags\":[\"phish\",\"vip\"]}", Fake.Requests[0].Body);

        var cleared = Session.Command("Set-DefenderIncident", With(("IncidentId", 7L), ("Tag", Array.Empty<string>()))).Succeeded().Output.Single();
        Assert.Empty((string[])Prop(cleared, "Tags")!);
        Assert.Equal("{\"tags\":[]}", Fake.Requests[1].Body);
    }

    [Fact]
    public void WhatIf_sends_nothing()
    {
        Fake.Incidents.Add(FakeDefenderApi.Incident(7));

        var result = Session.Command("Set-DefenderIncident", With(("IncidentId", 7L), ("Status", "Resolved"), ("WhatIf", true))).Succeeded();

        Assert.Empty(result.Output);
        Assert.Empty(Fake.Requests);
    }

    [Fact]
    public void Piped_incidents_are_updated_where_they_came_from()
    {
        Fake.AddIncidents(3, firstId: 20);

        var result = Session.Run(
            "Get-DefenderIncident -ApiUri $api -AccessToken $token -Severity High, Medium | Set-DefenderIncident -AccessToken $token -AssignedTo secop@contoso.com -Confirm:$false",
            Vars()).Succeeded();

        Assert.Equal(new long[] { 20, 19 }, Incidents(result).Select(Id));
        Assert.All(Incidents(result), i => Assert.Equal("secop@contoso.com", Prop(i, "AssignedTo")));
        Assert.Equal(new[] { "GET /api/incidents", "PATCH /api/incidents/20", "PATCH /api/incidents/19" }, Fake.Requests.Select(r => r.Method + " " + r.Path));
    }

    [Fact]
    public void An_unknown_id_is_a_non_terminating_error_and_the_others_are_updated()
    {
        Fake.Incidents.Add(FakeDefenderApi.Incident(7));

        var result = Session.Command("Set-DefenderIncident", With(("IncidentId", new long[] { 404, 7 }), ("Status", "InProgress")));

        result.SingleError("DefenderIncidentNotFound", ErrorCategory.ObjectNotFound);
        Assert.Equal(7, Id(Assert.Single(Incidents(result))));
    }

    [Fact]
    public void A_read_only_token_is_told_it_needs_Incident_ReadWrite_All()
    {
        Fake.Next.Enqueue(FakeDefenderApi.Error(403, "Forbidden", "Forbidden"));

        var error = Session.Command("Set-DefenderIncident", With(("IncidentId", 7L), ("Status", "Resolved"))).SingleError("DefenderPermissionDenied", ErrorCategory.PermissionDenied);

        Assert.Contains("Incident.ReadWrite.All", error.Exception.Message);
        Assert.Contains("roles Incident.Read.All", error.Exception.Message);
    }

    [Fact]
    public void Nothing_to_change_or_a_determination_that_does_not_fit_is_refused_before_any_request()
    {
        Session.Command("Set-DefenderIncident", With(("IncidentId", 7L))).SingleError("DefenderIncidentUpdateInvalid", ErrorCategory.InvalidArgument);
        Session.Command("Set-DefenderIncident", With(("IncidentId", 7L), ("Classification", "FalsePositive"), ("Determination", "Malware"))).SingleError("DefenderIncidentUpdateInvalid", ErrorCategory.InvalidArgument);

        Assert.Empty(Fake.Requests);
    }
}
