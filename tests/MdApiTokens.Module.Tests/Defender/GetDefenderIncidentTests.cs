using System.Collections;
using System.Diagnostics;
using System.Management.Automation;
using System.Net;
using System.Text;
using MdApiTokens.Testing.Defender;
using MdApiTokens.Tests.Shared;

namespace MdApiTokens.Module.Tests.Defender;

public class GetDefenderIncidentTests : DefenderTestBase
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void All_pages_are_listed_in_order_with_or_without_next_links(bool nextLink)
    {
        Fake.ServeNextLink = nextLink;
        Fake.AddIncidents(250);

        var result = Get().Succeeded();

        var incidents = Incidents(result);
        Assert.Equal(Fake.Incidents.Select(i => (long)i["incidentId"]!), incidents.Select(Id));
        Assert.Equal(3, Fake.Requests.Count);
        Assert.All(incidents, i => Assert.Equal(TenantA, Prop(i, "TenantId")));
    }

    [Theory]
    [InlineData("-Status Active", "status eq 'Active'")]
    [InlineData("-Status Active, InProgress", "status eq 'Active' or status eq 'InProgress'")]
    [InlineData("-AssignedTo \"o'brien@contoso.com\"", "assignedTo eq 'o''brien@contoso.com'")]
    [InlineData("-LastUpdatedAfter ([datetime]::SpecifyKind([datetime]'2026-01-09 12:00:00', 'Utc'))", "lastUpdateTime ge 2026-01-09T12:00:00.000Z")]
    [InlineData("-CreatedAfter ([datetimeoffset]'2026-01-09T14:30:00.250+02:00').UtcDateTime", "createdTime ge 2026-01-09T12:30:00.250Z")]
    [InlineData("-Filter \"createdTime lt 2026-01-10T00:00:00Z\" -Status Resolved", "(createdTime lt 2026-01-10T00:00:00Z) and (status eq 'Resolved')")]
    [InlineData("-Status Active -AssignedTo secop@contoso.com -LastUpdatedAfter ([datetime]::SpecifyKind([datetime]'2026-01-01', 'Utc'))", "(status eq 'Active') and (assignedTo eq 'secop@contoso.com') and (lastUpdateTime ge 2026-01-01T00:00:00.000Z)")]
    public void Typed_parameters_send_the_exact_filter_and_the_fake_accepts_it(string parameters, string expectedFilter)
    {
        Fake.AddIncidents(3);

        Session.Run($"Get-DefenderIncident -ApiUri $api -AccessToken $token {parameters}", Vars()).Succeeded();

        Assert.Equal(expectedFilter, Assert.Single(Fake.Requests).Filter);
    }

    [Fact]
    public void The_fake_applies_the_filter_so_only_matching_incidents_come_back()
    {
        Fake.Incidents.Add(FakeDefenderApi.Incident(1, status: "Active"));
        Fake.Incidents.Add(FakeDefenderApi.Incident(2, status: "Resolved"));
        Fake.Incidents.Add(FakeDefenderApi.Incident(3, status: "InProgress"));

        var result = Get(("Status", new[] { "Active", "InProgress" })).Succeeded();

        Assert.Equal(new long[] { 1, 3 }, Incidents(result).Select(Id));
    }

    [Fact]
    public void Severity_is_applied_on_the_client_because_the_api_cannot_filter_it()
    {
        Fake.AddIncidents(12);

        var result = Get(("Severity", "High"), ("Status", "Active")).Succeeded();

        Assert.Equal(3, result.Output.Count);
        Assert.All(Incidents(result), i => Assert.Equal("High", Prop(i, "Severity")));
        Assert.Equal("status eq 'Active'", Assert.Single(Fake.Requests).Filter);
    }

    [Fact]
    public void A_raw_filter_on_severity_is_the_apis_bad_request_with_a_hint()
    {
        var result = Get(("Filter", "severity eq 'High'"));

        var error = result.SingleError("DefenderInvalidRequest", ErrorCategory.InvalidArgument);
        Assert.Contains("ODataError", error.Exception.Message);
        Assert.Contains("-Severity", error.ErrorDetails.RecommendedAction);
    }

    [Fact]
    public void Top_sets_the_page_size_and_First_the_total()
    {
        Fake.AddIncidents(30);

        var result = Get(("Top", 10), ("First", 25)).Succeeded();

        Assert.Equal(25, result.Output.Count);
        Assert.Equal(new int?[] { 10, 10, 5 }, Fake.Requests.Select(r => r.Top));
        Assert.Equal(new int?[] { null, 10, 20 }, Fake.Requests.Select(r => r.Skip));
    }

    [Fact]
    public void Each_incident_reaches_the_pipeline_before_the_next_page_is_requested()
    {
        Fake.AddIncidents(5);

        Session.Run("Get-DefenderIncident -ApiUri $api -AccessToken $token -Top 2 | ForEach-Object { $fake.Events.Enqueue(\"object $($_.IncidentId)\") }", Vars()).Succeeded();

        Assert.Equal(
            new[]
            {
                "GET /api/incidents", "object 1000", "object 999",
                "GET /api/incidents skip=2", "object 998", "object 997",
                "GET /api/incidents skip=4", "object 996",
            },
            Fake.Events);
    }

    [Fact]
    public void Piped_partner_tokens_list_each_customers_incidents_labelled_with_its_tenant()
    {
        Fake.AddIncidents(2);

        var result = Session.Run("$tokens | Get-DefenderIncident -ApiUri $api -ThrottleLimit 1", Vars(("tokens", new object[] { PartnerToken(TenantA), PartnerToken(TenantB) }))).Succeeded();

        Assert.Equal(new[] { TenantA, TenantA, TenantB, TenantB }, Incidents(result).Select(i => Prop(i, "TenantId")));
        Assert.Equal(new[] { "Bearer " + TestJwt.Create(TenantA), "Bearer " + TestJwt.Create(TenantB) }, Fake.Requests.Select(r => r.Authorization));
    }

    [Fact]
    public void Objects_with_AccessToken_and_TenantId_properties_bind_by_name()
    {
        Fake.AddIncidents(1);

        var result = Session.Run(
            "[pscustomobject]@{ AccessToken = 'opaque-token-1'; TenantId = 'customer-1' }, [pscustomobject]@{ AccessToken = 'opaque-token-2'; TenantId = 'customer-2' } | Get-DefenderIncident -ApiUri $api -ThrottleLimit 1",
            Vars()).Succeeded();

        Assert.Equal(new[] { "customer-1", "customer-2" }, Incidents(result).Select(i => Prop(i, "TenantId")));
        Assert.Equal(new[] { "Bearer opaque-token-1", "Bearer opaque-token-2" }, Fake.Requests.Select(r => r.Authorization));
    }

    [Fact]
    public void A_SecureString_token_works_and_the_tenant_is_read_from_it()
    {
        Fake.AddIncidents(1);

        var result = Session.Run(
            "$s = [System.Security.SecureString]::new(); foreach ($c in $token.ToCharArray()) { $s.AppendChar($c) }; Get-DefenderIncident -ApiUri $api -AccessToken $s",
            Vars()).Succeeded();

        Assert.Equal(TenantA, Prop(Assert.Single(Incidents(result)), "TenantId"));
        Assert.Equal("Bearer " + TokenA, Assert.Single(Fake.Requests).Authorization);
    }

    [Fact]
    public void An_opaque_token_without_a_tenant_id_gives_a_warning_that_the_tenant_is_unknown()
    {
        Fake.AddIncidents(1);

        var result = Get(("AccessToken", "opaque-token")).Succeeded();

        Assert.Null(Prop(Assert.Single(Incidents(result)), "TenantId"));
        Assert.Contains("The tenant is unknown", Assert.Single(result.Warnings));
    }

    [Fact]
    public void A_tenant_id_that_contradicts_the_token_is_refused_before_any_request()
    {
        var result = Get(("TenantId", TenantB));

        result.SingleError("DefenderTenantMismatch", ErrorCategory.InvalidArgument);
        Assert.Empty(Fake.Requests);
    }

    [Fact]
    public void One_customers_failure_is_reported_and_the_next_customer_is_still_listed()
    {
        Fake.AddIncidents(1);
        Fake.Next.Enqueue(FakeDefenderApi.Error(403, "Forbidden", "Forbidden"));

        var result = Session.Run("$tokens | Get-DefenderIncident -ApiUri $api -ThrottleLimit 1", Vars(("tokens", new object[] { PartnerToken(TenantA), PartnerToken(TenantB) })));

        var error = result.SingleError("DefenderPermissionDenied", ErrorCategory.PermissionDenied);
        Assert.Contains("Incident.Read.All", error.Exception.Message);
        Assert.Equal(TenantA, error.TargetObject);
        Assert.Equal(TenantB, Prop(Assert.Single(Incidents(result)), "TenantId"));
    }

    [Fact]
    public void A_401_says_how_to_check_the_token_and_ErrorAction_Stop_makes_it_terminating()
    {
        Fake.ExpectedToken = "another";

        var error = Get().SingleError("DefenderAuthenticationFailed", ErrorCategory.AuthenticationError);
        Assert.Contains("expired, malformed, or was not issued for this API", error.Exception.Message);
        Assert.Contains("Test-AccessToken", error.ErrorDetails.RecommendedAction);
        Assert.DoesNotContain(TokenA, error.ToString() + error.ErrorDetails.RecommendedAction);

        var stopped = Session.Run("try { Get-DefenderIncident -ApiUri $api -AccessToken $token -ErrorAction Stop; 'went on' } catch { 'caught ' + $_.FullyQualifiedErrorId }", Vars()).Succeeded();
        Assert.Equal("caught DefenderAuthenticationFailed,MdApiTokens.Commands.Defender.GetDefenderIncidentCommand", Assert.Single(stopped.Output).ToString());
    }

    [Fact]
    public void Throttling_waits_what_Retry_After_says_and_the_listing_completes()
    {
        Fake.AddIncidents(3);
        Fake.Next.Enqueue(FakeDefenderApi.Error(429, "TooManyRequests", "API calls quota exceeded!", retryAfter: "7"));

        var result = Get().Succeeded();

        Assert.Equal(3, result.Output.Count);
        Assert.Equal(new[] { TimeSpan.FromSeconds(7) }, Waits);
    }

    [Fact]
    public void A_server_error_then_success_retries_once()
    {
        Fake.AddIncidents(2);
        Fake.Next.Enqueue(FakeDefenderApi.Error(500, "InternalServerError", "boom"));

        var result = Get().Succeeded();

        Assert.Equal(2, result.Output.Count);
        Assert.Equal(2, Fake.Requests.Count);
        Assert.Single(Waits);
    }

    [Fact]
    public void Throttling_that_does_not_end_is_DefenderThrottled_after_the_allowed_attempts()
    {
        for (var i = 0; i < 5; i++)
        {
            Fake.Next.Enqueue(FakeDefenderApi.Error(429, "TooManyRequests", "Too many requests.", retryAfter: "2"));
        }

        var error = Get().SingleError("DefenderThrottled", ErrorCategory.LimitsExceeded);

        Assert.Contains("after 5 attempts", error.Exception.Message);
        Assert.Equal(5, Fake.Requests.Count);
        Assert.Equal(Enumerable.Repeat(TimeSpan.FromSeconds(2), 4), Waits);
    }

    [Fact]
    public void A_long_listing_paces_itself_instead_of_running_into_429s()
    {
        Fake.AddIncidents(60);

        var result = Get(("Top", 1)).Succeeded();

        Assert.Equal(60, result.Output.Count);
        Assert.Equal(61, Fake.Requests.Count);
        Assert.Equal(new[] { TimeSpan.FromMinutes(1) }, Waits);
    }

    [Fact]
    public void Ids_are_read_one_by_one_and_an_unknown_id_is_a_non_terminating_error()
    {
        Fake.AddIncidents(3, firstId: 10);

        var result = Get(("IncidentId", new long[] { 10, 404, 8 }));

        var error = result.SingleError("DefenderIncidentNotFound", ErrorCategory.ObjectNotFound);
        Assert.Equal(404L, error.TargetObject);
        Assert.Equal(new long[] { 10, 8 }, Incidents(result).Select(Id));
        Assert.Equal(new[] { "/api/incidents/10", "/api/incidents/404", "/api/incidents/8" }, Fake.Requests.Select(r => r.Path));
    }

    [Fact]
    public void Piped_incidents_are_read_again_from_the_api_they_came_from()
    {
        Fake.AddIncidents(2, firstId: 50);

        var result = Session.Run("Get-DefenderIncident -ApiUri $api -AccessToken $token | Get-DefenderIncident -AccessToken $token", Vars()).Succeeded();

        Assert.Equal(new long[] { 50, 49 }, Incidents(result).Select(Id));
        Assert.Equal(new[] { "/api/incidents", "/api/incidents/50", "/api/incidents/49" }, Fake.Requests.Select(r => r.Path));
    }

    [Fact]
    public void A_bearer_token_is_never_sent_over_plain_http_to_a_remote_host()
    {
        var result = Get(("ApiUri", "http://api.security.microsoft.com"));

        var error = result.SingleError("DefenderInsecureApiUri", ErrorCategory.SecurityError);
        Assert.Contains("loopback", error.ErrorDetails.RecommendedAction);
        Assert.Empty(Fake.Requests);
    }

    [Fact]
    public void A_response_that_is_not_json_is_a_clear_error()
    {
        Fake.Next.Enqueue(FakeDefenderApi.Raw("<html>proxy login</html>", "text/html"));

        var error = Get().SingleError("DefenderResponseInvalid", ErrorCategory.InvalidData);

        Assert.Contains("text/html", error.Exception.Message);
        Assert.Contains("<html>proxy login</html>", error.Exception.Message);
    }

    [Fact]
    public void A_truncated_body_is_a_clear_error()
    {
        Fake.Next.Enqueue(FakeDefenderApi.Raw("{\"value\":[{\"incidentId\":1,\"incidentName\":\"cut off"));

        Get().SingleError("DefenderResponseInvalid", ErrorCategory.InvalidData);
    }

    [Fact]
    public async Task Stopping_the_pipeline_cancels_the_request_in_flight_within_a_second()
    {
        Fake.Next.Enqueue(FakeDefenderApi.Slow(TimeSpan.FromSeconds(60)));
        using var ps = PowerShell.Create();
        ps.Runspace = Session.Runspace;
        ps.AddCommand("Get-DefenderIncident").AddParameters(With());
        var running = ps.BeginInvoke();
        await Fake.RequestArrived.Task.WaitAsync(TimeSpan.FromSeconds(20));

        var watch = Stopwatch.StartNew();
        ps.Stop();

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(1), $"stopping took {watch.Elapsed}");
        Assert.Throws<PipelineStoppedException>(() => ps.EndInvoke(running));
        Assert.Single(Fake.Requests);
    }

    [Fact]
    public void Fields_the_module_does_not_know_are_kept_as_properties()
    {
        Fake.AddIncidents(1);

        var result = Session.Run(
            "$i = Get-DefenderIncident -ApiUri $api -AccessToken $token; $i.impactScore; $i.systemTags.source; $i.Alerts[0].detectorVersion; $i.AdditionalProperties['impactScore']",
            Vars()).Succeeded();

        Assert.Equal(new object[] { 42L, "fake", "2.1", 42L }, result.Output.Select(o => o.BaseObject));
    }

    [Fact]
    public void Unknown_fields_with_an_empty_name_or_names_that_differ_only_in_case_do_not_break_the_incident()
    {
        Fake.AddIncidents(1);
        var incident = Fake.Incidents[0];
        incident[""] = 1;
        incident["Extra"] = "first";
        incident["extra"] = "second";
        incident["custom"] = new System.Text.Json.Nodes.JsonObject { [""] = 1, ["kept"] = 2 };

        var result = Session.Run("$i = Get-DefenderIncident -ApiUri $api -AccessToken $token; $i.Extra; $i.custom.kept; @($i.custom.PSObject.Properties).Count", Vars()).Succeeded();

        Assert.Equal(new object[] { "first", 2L, 1 }, result.Output.Select(o => o.BaseObject));
    }

    [Fact]
    public void Verbose_output_tells_what_happens_and_never_shows_the_token()
    {
        Fake.AddIncidents(1);
        Fake.Next.Enqueue(FakeDefenderApi.Error(503, "ServiceUnavailable", "busy", retryAfter: "3"));

        var result = Get(("Verbose", true)).Succeeded();

        var verbose = string.Join("\n", result.Verbose);
        Assert.Contains("Using the incidents API at " + Fake.BaseUri, verbose);
        Assert.Contains("trying again in 3 s as Retry-After asks", verbose);
        Assert.Contains("the listing is complete", verbose);
        Assert.DoesNotContain(TokenA, verbose);
        Assert.DoesNotContain(TokenA.Split('.')[1], verbose);
    }

    [Theory]
    [InlineData("$t = $partner; $t | Get-DefenderIncident", "https://api-gov.security.microsoft.us/api/incidents?$top=100")]
    [InlineData("Get-DefenderIncident -AccessToken $partner.AccessToken -Cloud USGov", "https://api-gcc.security.microsoft.us/api/incidents?$top=100")]
    [InlineData("Get-DefenderIncident -AccessToken $partner -Region EU", "https://eu.api.security.microsoft.com/api/incidents?$top=100")]
    [InlineData("Get-DefenderIncident -AccessToken $partner", "https://api.security.microsoft.com/api/incidents?$top=100")]
    public void Region_and_cloud_choose_the_api_host(string script, string expectedUri)
    {
        var handler = new RecordingHandler();
        Session.SetOverride("DefenderHttpHandler", handler);
        var partner = PartnerToken(TenantA, "USGovHigh");

        Session.Run(script, Vars(("partner", partner))).Succeeded();

        Assert.Equal(expectedUri, Assert.Single(handler.Requests).ToString());
    }

    [Fact]
    public void The_default_view_is_a_table_of_id_severity_status_name_update_and_tenant()
    {
        var host = new Infrastructure.CapturingHost();
        using var console = new Infrastructure.PowerShellSession(host) { Now = Start };
        Configure(console);
        Fake.Incidents.Add(FakeDefenderApi.Incident(924565, severity: "High", name: "Ransomware activity"));

        console.Run("Get-DefenderIncident -ApiUri $api -AccessToken $token | Out-Host", Vars()).Succeeded();

        var lines = host.Text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var header = lines.First(l => l.Contains("IncidentId"));
        Assert.Matches(@"IncidentId\s+Severity\s+Status\s+LastUpdateTime\s+IncidentName", header);
        Assert.Matches(@"^\s+TenantId: aaaaaaaa-0000-0000-0000-00000000000a$", lines[Array.IndexOf(lines, header) - 1]);
        var row = lines.Single(l => l.Contains("924565"));
        Assert.Matches(@"924565\s+High\s+Active\s+\d{4}-\d\d-\d\d \d\d:\d\d\s+Ransomware activity", row);
        Assert.DoesNotContain(TokenA, host.Text);
    }

    /// <summary>Answers every request with an empty page and records where it was sent: for hosts the tests must never reach.</summary>
    private sealed class RecordingHandler : HttpMessageHandler
    {
        public List<Uri> Requests { get; } = new();

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            lock (Requests)
            {
                Requests.Add(request.RequestUri!);
            }

            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent("{\"value\":[]}", Encoding.UTF8, "application/json") });
        }
    }
}
