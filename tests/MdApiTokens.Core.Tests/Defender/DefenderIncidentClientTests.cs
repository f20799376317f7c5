using System.Diagnostics;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using MdApiTokens.Core.Defender;
using MdApiTokens.Testing.Defender;
using MdApiTokens.Tests.Shared;

namespace MdApiTokens.Core.Tests.Defender;

/// <summary>The incidents client against the loopback fake: real sockets, recorded waits instead of sleeps.</summary>
public sealed class DefenderIncidentClientTests : IAsyncLifetime
{
    private const string Tenant = "00000000-0000-0000-0000-0000000000aa";

    private readonly ManualClock _clock = new(FakeDefenderApi.Epoch);
    private readonly List<TimeSpan> _waits = new();
    private readonly List<string> _log = new();
    private FakeDefenderApi _fake = null!;

    public async Task InitializeAsync() => _fake = await FakeDefenderApi.StartAsync();

    public async Task DisposeAsync() => await _fake.DisposeAsync();

    [Fact]
    public async Task Skip_paging_returns_every_incident_once_in_order_across_pages()
    {
        _fake.AddIncidents(250);

        var incidents = await ListAll(new DefenderIncidentQuery());

        Assert.Equal(_fake.Incidents.Select(i => (long)i["incidentId"]!), incidents.Select(i => i.IncidentId));
        Assert.Equal(new int?[] { null, 100, 200 }, _fake.Requests.Select(r => r.Skip));
        Assert.All(_fake.Requests, r => Assert.Equal(100, r.Top));
    }

    [Fact]
    public async Task An_incident_pushed_onto_a_later_page_by_new_ones_is_returned_once()
    {
        // Page 2 repeats the end of page 1 (new incidents arrived between the requests); page 12 repeats one of page 2,
        // ten pages back: both repeats are dropped.
        _fake.Next.Enqueue(Page(Enumerable.Range(1, 100)));
        _fake.Next.Enqueue(Page(Enumerable.Range(98, 100)));
        for (var page = 3; page <= 11; page++)
        {
            _fake.Next.Enqueue(Page(Enumerable.Range(1000 * page, 100)));
        }

        _fake.Next.Enqueue(Page(new[] { 150, 20_000 }));

        var ids = (await ListAll(new DefenderIncidentQuery())).Select(i => i.IncidentId).ToList();

        Assert.Equal(ids.Distinct(), ids);
        Assert.Equal(1 + 197 + (9 * 100), ids.Count);
        Assert.Equal(20_000, ids[^1]);
        Assert.Equal(12, _fake.Requests.Count);
    }

    [Fact]
    public async Task A_last_page_that_is_exactly_full_costs_one_more_empty_request()
    {
        _fake.AddIncidents(200);

        var incidents = await ListAll(new DefenderIncidentQuery());

        Assert.Equal(200, incidents.Count);
        Assert.Equal(new int?[] { null, 100, 200 }, _fake.Requests.Select(r => r.Skip));
    }

    [Fact]
    public async Task NextLink_paging_follows_the_links_and_keeps_the_filter()
    {
        _fake.ServeNextLink = true;
        _fake.AddIncidents(25);

        var incidents = await ListAll(new DefenderIncidentQuery { PageSize = 10, Status = new[] { DefenderIncidentStatus.Active } });

        Assert.Equal(_fake.Incidents.Select(i => (long)i["incidentId"]!), incidents.Select(i => i.IncidentId));
        Assert.Equal(3, _fake.Requests.Count);
        Assert.All(_fake.Requests, r => Assert.Equal("status eq 'Active'", r.Filter));
        Assert.Equal(new int?[] { null, 10, 20 }, _fake.Requests.Select(r => r.Skip));
    }

    [Fact]
    public async Task The_fake_applies_the_typed_filter_the_client_sends()
    {
        _fake.Incidents.Add(FakeDefenderApi.Incident(1, status: "Active", assignedTo: "o'brien@contoso.com", lastUpdate: FakeDefenderApi.Epoch));
        _fake.Incidents.Add(FakeDefenderApi.Incident(2, status: "Active", assignedTo: "o'brien@contoso.com", lastUpdate: FakeDefenderApi.Epoch.AddDays(-3)));
        _fake.Incidents.Add(FakeDefenderApi.Incident(3, status: "Resolved", assignedTo: "o'brien@contoso.com", lastUpdate: FakeDefenderApi.Epoch));
        _fake.Incidents.Add(FakeDefenderApi.Incident(4, status: "InProgress", assignedTo: "someone@contoso.com", lastUpdate: FakeDefenderApi.Epoch));
        _fake.Incidents.Add(FakeDefenderApi.Incident(5, status: "InProgress", assignedTo: "o'brien@contoso.com", lastUpdate: FakeDefenderApi.Epoch));

        var incidents = await ListAll(new DefenderIncidentQuery
        {
            Status = new[] { DefenderIncidentStatus.Active, DefenderIncidentStatus.InProgress },
            AssignedTo = "o'brien@contoso.com",
            LastUpdatedAfter = FakeDefenderApi.Epoch.AddDays(-1),
        });

        Assert.Equal(new long[] { 1, 5 }, incidents.Select(i => i.IncidentId));
        Assert.Equal(
            "(status eq 'Active' or status eq 'InProgress') and (assignedTo eq 'o''brien@contoso.com') and (lastUpdateTime ge 2026-01-09T12:00:00.000Z)",
            Assert.Single(_fake.Requests).Filter);
    }

    [Fact]
    public async Task Severity_is_filtered_on_the_client_and_never_sent()
    {
        _fake.AddIncidents(8);

        var incidents = await ListAll(new DefenderIncidentQuery { Severity = new[] { DefenderIncidentSeverity.High, DefenderIncidentSeverity.Low } });

        Assert.Equal(new[] { "High", "Low", "High", "Low" }, incidents.Select(i => i.Severity));
        Assert.Null(Assert.Single(_fake.Requests).Filter);
    }

    [Fact]
    public async Task A_raw_filter_on_a_field_the_api_cannot_filter_is_a_bad_request_with_the_apis_message()
    {
        var e = await Assert.ThrowsAsync<DefenderApiException>(() => ListAll(new DefenderIncidentQuery { Filter = "severity eq 'High'" }));

        Assert.Equal(DefenderErrors.InvalidRequest, e.ErrorId);
        Assert.Equal("ODataError", e.ApiError!.Code);
        Assert.Contains("the property 'severity' cannot be used in $filter", e.Message);
        Assert.Contains("-Severity", e.RecommendedAction);
    }

    [Fact]
    public async Task First_stops_requesting_pages_once_it_has_enough()
    {
        _fake.AddIncidents(250);

        var incidents = await ListAll(new DefenderIncidentQuery { First = 150 });

        Assert.Equal(150, incidents.Count);
        Assert.Equal(new int?[] { 100, 50 }, _fake.Requests.Select(r => r.Top));
    }

    [Fact]
    public async Task First_with_severity_counts_matching_incidents_only()
    {
        _fake.AddIncidents(250);

        var incidents = await ListAll(new DefenderIncidentQuery { First = 30, Severity = new[] { DefenderIncidentSeverity.High } });

        Assert.Equal(30, incidents.Count);
        Assert.All(incidents, i => Assert.Equal("High", i.Severity));
        Assert.Equal(2, _fake.Requests.Count);
    }

    [Fact]
    public async Task The_pager_requests_the_next_page_only_when_asked()
    {
        _fake.AddIncidents(150);
        using var client = Client();
        var pager = client.ListIncidents(new DefenderIncidentQuery());

        Assert.Empty(_fake.Requests);
        var first = await pager.NextPageAsync(CancellationToken.None);
        Assert.Equal(100, first!.Count);
        Assert.Single(_fake.Requests);

        var second = await pager.NextPageAsync(CancellationToken.None);
        Assert.Equal(50, second!.Count);
        Assert.Equal(2, _fake.Requests.Count);
        Assert.Null(await pager.NextPageAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Incidents_carry_the_documented_fields_their_tenant_and_unknown_fields()
    {
        _fake.Incidents.Add(FakeDefenderApi.Incident(924565, severity: "High", name: "Ransomware activity"));

        var incident = Assert.Single(await ListAll(new DefenderIncidentQuery()));

        Assert.Equal(924565, incident.IncidentId);
        Assert.Equal("Ransomware activity", incident.IncidentName);
        Assert.Equal(new Uri("https://security.microsoft.com/incidents/924565?tid=00000000-0000-0000-0000-0000000000aa"), incident.IncidentUri);
        Assert.Null(incident.RedirectIncidentId);
        Assert.Equal(FakeDefenderApi.Epoch, incident.LastUpdateTime);
        Assert.Equal("Unknown", incident.Classification);
        Assert.Equal("NotAvailable", incident.Determination);
        Assert.Equal(new[] { "fake" }, incident.Tags);
        Assert.Equal("seen", Assert.Single(incident.Comments).Text);
        Assert.Equal(Tenant, incident.TenantId);
        Assert.Equal(_fake.BaseUri, incident.ApiUri);
        Assert.Equal(42L, incident.AdditionalProperties["impactScore"]);
        var systemTags = Assert.IsAssignableFrom<IReadOnlyDictionary<string, object?>>(incident.AdditionalProperties["systemTags"]);
        Assert.Equal(new object[] { 1L, 2L }, systemTags["levels"]);
        Assert.DoesNotContain(incident.AdditionalProperties.Keys, k => k.StartsWith("@odata", StringComparison.Ordinal));

        var alert = Assert.Single(incident.Alerts);
        Assert.Equal("da924565_1", alert.AlertId);
        Assert.Equal("Mimikatz", alert.ThreatFamilyName);
        Assert.Equal(new[] { "T1003" }, alert.MitreTechniques);
        Assert.Equal("2.1", alert.AdditionalProperties["detectorVersion"]);
        var device = Assert.Single(alert.Devices);
        Assert.Equal("24c222b0b60fe148eeece49ac83910cc6a7ef491", device.DeviceId);
        Assert.Equal(14393, device.OsBuild);
        Assert.Equal(new[] { "File", "User" }, alert.Entities.Select(e => e.EntityType));
        Assert.Equal("Detector.UnitTests.dll", alert.Entities[0].FileName);
        Assert.Equal("Suspicious", alert.Entities[1].Verdict);
    }

    [Fact]
    public async Task The_bearer_token_is_sent_and_never_appears_in_messages()
    {
        var token = TestJwt.Create(Tenant);
        _fake.ExpectedToken = token;
        _fake.AddIncidents(1);

        await ListAll(new DefenderIncidentQuery(), token);
        _fake.ExpectedToken = "something else";
        var e = await Assert.ThrowsAsync<DefenderApiException>(() => ListAll(new DefenderIncidentQuery(), token));

        Assert.Equal("Bearer " + token, _fake.Requests[0].Authorization);
        Assert.DoesNotContain(token, e.Message + e.RecommendedAction + e.Target);
        Assert.All(_log, line => Assert.DoesNotContain(token, line));
        using var client = Client(token);
        Assert.DoesNotContain(token, client.ToString());
    }

    [Fact]
    public async Task A_429_waits_what_retry_after_says_then_succeeds()
    {
        _fake.AddIncidents(3);
        _fake.Next.Enqueue(FakeDefenderApi.Error(429, "TooManyRequests", "API calls quota exceeded! Maximum allowed 50 per 00:01:00.", retryAfter: "7"));

        var incidents = await ListAll(new DefenderIncidentQuery());

        Assert.Equal(3, incidents.Count);
        Assert.Equal(2, _fake.Requests.Count);
        Assert.Equal(new[] { TimeSpan.FromSeconds(7) }, _waits);
    }

    [Fact]
    public async Task A_503_with_an_http_date_waits_until_that_date()
    {
        _fake.AddIncidents(1);
        _fake.Next.Enqueue(FakeDefenderApi.Error(503, "ServiceUnavailable", "Busy", retryAfter: FakeDefenderApi.Epoch.AddSeconds(90).ToString("r")));

        await ListAll(new DefenderIncidentQuery());

        Assert.Equal(new[] { TimeSpan.FromSeconds(90) }, _waits);
        Assert.Equal(2, _fake.Requests.Count);
    }

    [Fact]
    public async Task A_500_then_success_backs_off_once()
    {
        _fake.AddIncidents(1);
        _fake.Next.Enqueue(FakeDefenderApi.Error(500, "InternalServerError", "oops"));

        await ListAll(new DefenderIncidentQuery());

        // Jitter is fixed at 0.5: the first back-off is 0.5 s + 0.25 s.
        Assert.Equal(new[] { TimeSpan.FromMilliseconds(750) }, _waits);
        Assert.Equal(2, _fake.Requests.Count);
    }

    [Fact]
    public async Task Throttling_that_never_ends_fails_after_the_allowed_attempts_with_its_waits()
    {
        for (var i = 0; i < 10; i++)
        {
            _fake.Next.Enqueue(FakeDefenderApi.Error(429, "TooManyRequests", "Too many requests.", retryAfter: "3"));
        }

        var e = await Assert.ThrowsAsync<DefenderApiException>(() => ListAll(new DefenderIncidentQuery()));

        Assert.Equal(DefenderErrors.Throttled, e.ErrorId);
        Assert.Equal(ErrorKind.LimitsExceeded, e.Kind);
        Assert.Equal(5, _fake.Requests.Count);
        Assert.Equal(Enumerable.Repeat(TimeSpan.FromSeconds(3), 4), _waits);
        Assert.Contains("after 5 attempts", e.Message);
        Assert.Contains("Too many requests.", e.Message);
    }

    [Fact]
    public async Task A_retry_after_longer_than_the_command_waits_fails_at_once_saying_when_to_come_back()
    {
        _fake.Next.Enqueue(FakeDefenderApi.Error(429, "TooManyRequests", "Hourly quota exceeded", retryAfter: "1800"));

        var e = await Assert.ThrowsAsync<DefenderApiException>(() => ListAll(new DefenderIncidentQuery()));

        Assert.Equal(DefenderErrors.Throttled, e.ErrorId);
        Assert.Single(_fake.Requests);
        Assert.Empty(_waits);
        Assert.Contains("2026-01-10 12:30:00 UTC", e.RecommendedAction);
    }

    [Fact]
    public async Task Server_errors_that_persist_fail_after_the_allowed_attempts_with_growing_back_off()
    {
        for (var i = 0; i < 10; i++)
        {
            _fake.Next.Enqueue(FakeDefenderApi.Error(502, "BadGateway", "upstream"));
        }

        var e = await Assert.ThrowsAsync<DefenderApiException>(() => ListAll(new DefenderIncidentQuery()));

        Assert.Equal(DefenderErrors.RequestFailed, e.ErrorId);
        Assert.Equal(ErrorKind.ResourceUnavailable, e.Kind);
        Assert.Equal(5, _fake.Requests.Count);
        Assert.Equal(new[] { 0.75, 1.5, 3, 6 }.Select(TimeSpan.FromSeconds), _waits);
    }

    [Fact]
    public async Task A_401_says_the_token_is_expired_or_not_for_this_api_and_how_to_check_it()
    {
        _fake.ExpectedToken = "the-right-one";
        var expired = TestJwt.Create(Tenant, FakeDefenderApi.Epoch.AddHours(-2));

        var e = await Assert.ThrowsAsync<DefenderApiException>(() => ListAll(new DefenderIncidentQuery(), expired));

        Assert.Equal(DefenderErrors.AuthenticationFailed, e.ErrorId);
        Assert.Equal(ErrorKind.AuthenticationError, e.Kind);
        Assert.Contains("expired at 2026-01-10 10:00:00 UTC", e.Message);
        Assert.Contains("Test-AccessToken", e.RecommendedAction);
        Assert.Single(_fake.Requests);
    }

    [Fact]
    public async Task A_403_names_the_missing_role_and_the_tokens_roles()
    {
        _fake.Next.Enqueue(FakeDefenderApi.Error(403, "Forbidden", "Forbidden"));
        var token = TestJwt.Create(Tenant, roles: "AdvancedHunting.Read.All");

        var e = await Assert.ThrowsAsync<DefenderApiException>(() => ListAll(new DefenderIncidentQuery(), token));

        Assert.Equal(DefenderErrors.PermissionDenied, e.ErrorId);
        Assert.Contains("Incident.Read.All", e.Message);
        Assert.Contains("roles AdvancedHunting.Read.All", e.Message);
        Assert.Contains("Forbidden: Forbidden (tracking id 43f4cb08-8fac-4b65-9db1-745c2ae65f3a)", e.Message);
    }

    [Fact]
    public async Task An_unknown_incident_id_is_not_found_with_the_apis_message()
    {
        using var client = Client();

        var e = await Assert.ThrowsAsync<DefenderApiException>(() => client.GetIncidentAsync(77, CancellationToken.None));

        Assert.Equal(DefenderErrors.IncidentNotFound, e.ErrorId);
        Assert.Equal(77L, e.Target);
        Assert.Contains("Incident 77 was not found", e.Message);
    }

    [Fact]
    public async Task Unknown_fields_read_after_the_listing_are_each_incidents_own_not_a_later_pages()
    {
        // Every page is read into a reused buffer: what an incident keeps of its unknown fields must be its own copy.
        _fake.AddIncidents(30);
        foreach (var incident in _fake.Incidents)
        {
            var id = (long)incident["incidentId"]!;
            incident["impactScore"] = id;
            incident["systemTags"] = new JsonObject { ["source"] = new string('s', (int)(id % 50)) + id };
            ((JsonObject)incident["alerts"]![0]!)["detectorVersion"] = $"v{id}";
        }

        var incidents = await ListAll(new DefenderIncidentQuery { PageSize = 10 });

        Assert.Equal(4, _fake.Requests.Count);
        Assert.All(incidents, i =>
        {
            Assert.Equal(i.IncidentId, i.AdditionalProperties["impactScore"]);
            Assert.Equal(new string('s', (int)(i.IncidentId % 50)) + i.IncidentId, ((IReadOnlyDictionary<string, object?>)i.AdditionalProperties["systemTags"]!)["source"]);
            Assert.Equal($"v{i.IncidentId}", i.Alerts[0].AdditionalProperties["detectorVersion"]);
        });
    }

    [Theory]
    [InlineData("<html><body>Sign in to the proxy</body></html>", "text/html")]
    [InlineData("{\"value\":[{\"incidentId\":1,\"incidentName\":\"cut", "application/json")]
    [InlineData("{\"items\":[]}", "application/json")]
    [InlineData("{\"value\":[{\"incidentName\":\"no id\"}]}", "application/json")]
    [InlineData("{\"value\":[null]}", "application/json")]
    [InlineData("", "application/json")]
    public async Task A_response_that_is_not_a_page_of_incidents_is_a_clear_error(string body, string contentType)
    {
        _fake.Next.Enqueue(FakeDefenderApi.Raw(body, contentType));

        var e = await Assert.ThrowsAsync<DefenderApiException>(() => ListAll(new DefenderIncidentQuery()));

        Assert.Equal(DefenderErrors.ResponseInvalid, e.ErrorId);
        Assert.Equal(ErrorKind.InvalidData, e.Kind);
        Assert.Contains("GET /api/incidents", e.Message);
        Assert.Single(_fake.Requests);
    }

    [Fact]
    public async Task A_connection_dropped_mid_body_is_retried_like_a_network_failure()
    {
        _fake.AddIncidents(2);
        _fake.Next.Enqueue(FakeDefenderApi.DroppedMidBody());

        var incidents = await ListAll(new DefenderIncidentQuery());

        Assert.Equal(2, incidents.Count);
        Assert.Equal(2, _fake.Requests.Count);
        Assert.Single(_waits);
    }

    [Fact]
    public async Task A_slow_response_times_out_and_is_retried()
    {
        _fake.AddIncidents(1);
        _fake.Next.Enqueue(FakeDefenderApi.Slow(TimeSpan.FromSeconds(30)));

        var incidents = await ListAll(new DefenderIncidentQuery(), configure: o => o.RequestTimeout = TimeSpan.FromMilliseconds(300));

        Assert.Single(incidents);
        Assert.Equal(2, _fake.Requests.Count);
    }

    [Fact]
    public async Task Cancelling_stops_a_request_in_flight_within_a_second()
    {
        _fake.Next.Enqueue(FakeDefenderApi.Slow(TimeSpan.FromSeconds(60)));
        using var client = Client();
        using var cancellation = new CancellationTokenSource();
        var listing = client.ListIncidents(new DefenderIncidentQuery()).NextPageAsync(cancellation.Token);
        await _fake.RequestArrived.Task.WaitAsync(TimeSpan.FromSeconds(10));

        var watch = Stopwatch.StartNew();
        cancellation.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => listing);

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(1), $"took {watch.Elapsed}");
        Assert.Single(_fake.Requests);
    }

    [Fact]
    public async Task Cancelling_during_a_retry_wait_stops_at_once()
    {
        _fake.Next.Enqueue(FakeDefenderApi.Error(429, "TooManyRequests", "slow down", retryAfter: "120"));
        using var cancellation = new CancellationTokenSource();
        using var client = Client(configure: o => o.Delay = (wait, token) =>
        {
            cancellation.Cancel();
            return Task.Delay(wait, token);
        });

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.ListIncidents(new DefenderIncidentQuery()).NextPageAsync(cancellation.Token));
        Assert.Single(_fake.Requests);
    }

    [Fact]
    public async Task A_next_link_to_another_host_is_refused_after_its_page_and_the_token_not_sent_there()
    {
        var page = new JsonObject { ["value"] = new JsonArray(FakeDefenderApi.Incident(1)), ["@odata.nextLink"] = "https://evil.example/api/incidents?$skip=1" };
        _fake.Next.Enqueue(FakeDefenderApi.Raw(page.ToJsonString()));

        using var client = Client();
        var pager = client.ListIncidents(new DefenderIncidentQuery());

        Assert.Single((await pager.NextPageAsync(CancellationToken.None))!);
        var e = await Assert.ThrowsAsync<DefenderApiException>(() => pager.NextPageAsync(CancellationToken.None));

        Assert.Equal(DefenderErrors.ResponseInvalid, e.ErrorId);
        Assert.Equal(ErrorKind.SecurityError, e.Kind);
        Assert.Single(_fake.Requests);
        Assert.Null(await pager.NextPageAsync(CancellationToken.None));
    }

    [Fact]
    public async Task A_listing_that_returns_the_same_page_again_stops_with_an_error()
    {
        var page = new JsonObject { ["value"] = new JsonArray(FakeDefenderApi.Incident(1)) };
        _fake.Next.Enqueue(FakeDefenderApi.Raw(page.ToJsonString()));
        _fake.Next.Enqueue(FakeDefenderApi.Raw(page.ToJsonString()));

        var e = await Assert.ThrowsAsync<DefenderApiException>(() => ListAll(new DefenderIncidentQuery { PageSize = 1 }));

        Assert.Equal(DefenderErrors.ResponseInvalid, e.ErrorId);
        Assert.Equal(2, _fake.Requests.Count);
    }

    [Fact]
    public async Task A_full_listing_paces_itself_under_50_calls_a_minute()
    {
        _fake.AddIncidents(120);

        var incidents = await ListAll(new DefenderIncidentQuery { PageSize = 1 });

        Assert.Equal(120, incidents.Count);
        Assert.Equal(121, _fake.Requests.Count);
        // Calls 51 and 101 each wait for a minute-old call to leave the window; nothing ran into a 429.
        Assert.Equal(new[] { TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1) }, _waits);
    }

    [Fact]
    public async Task A_quota_wait_that_ends_late_counts_the_call_from_when_it_went_so_the_next_minute_is_not_short()
    {
        _fake.AddIncidents(120);
        var late = true;

        var incidents = await ListAll(new DefenderIncidentQuery { PageSize = 1 }, configure: options => options.Delay = (wait, _) =>
        {
            lock (_waits)
            {
                _waits.Add(wait);
            }

            // The first wait (call 51's minute) ends 20 s late, as a timer on a busy machine can.
            _clock.Advance(wait + (late ? TimeSpan.FromSeconds(20) : TimeSpan.Zero));
            late = false;
            return Task.CompletedTask;
        });

        Assert.Equal(120, incidents.Count);
        // Call 101 waits for call 51 to leave the window a minute after it really went (80 s), not after its
        // reservation (60 s): counted from the reservation, it would wait 40 s and be the 51st call in a minute.
        Assert.Equal(new[] { TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1) }, _waits);
    }

    [Fact]
    public async Task The_tenant_comes_from_the_token_and_a_conflicting_tenant_id_is_refused()
    {
        using (var client = Client(TestJwt.Create("tenant-from-token"), tenantId: null))
        {
            Assert.Equal("tenant-from-token", client.TenantId);
        }

        var e = Assert.Throws<MdApiTokensException>(() => Client(TestJwt.Create("tenant-from-token"), tenantId: "another-tenant"));
        Assert.Equal(DefenderErrors.TenantMismatch, e.ErrorId);

        using var opaque = Client("opaque-token-value", tenantId: "given-tenant");
        Assert.Equal("given-tenant", opaque.TenantId);
        await Task.CompletedTask;
    }

    [Fact]
    public void A_token_is_never_sent_over_plain_http_to_a_remote_host()
    {
        var e = Assert.Throws<MdApiTokensException>(() =>
            new DefenderIncidentClient(new Uri("http://api.security.microsoft.com"), TestJwt.Create(Tenant), null, new SocketsHttpHandler()));
        Assert.Equal(DefenderErrors.InsecureApiUri, e.ErrorId);
    }

    [Fact]
    public async Task An_update_sends_only_the_fields_given_and_returns_the_updated_incident()
    {
        _fake.Incidents.Add(FakeDefenderApi.Incident(5));
        using var client = Client();

        var updated = await client.UpdateIncidentAsync(5, new DefenderIncidentUpdate
        {
            Status = DefenderIncidentStatus.Resolved,
            Classification = DefenderIncidentClassification.TruePositive,
            Determination = DefenderIncidentDetermination.Malware,
            Tags = new[] { "Yossi's playground" },
            Comment = "pen testing",
        }, CancellationToken.None);

        var request = Assert.Single(_fake.Requests);
        Assert.Equal("PATCH", request.Method);
        Assert.Equal("/api/incidents/5", request.Path);
        Assert.Equal(
            "{\"status\":\"Resolved\",\"classification\":\"TruePositive\",\"determination\":\"Malware\",\"tags\":[\"Yossi\\u0027s playground\"],\"comment\":\"pen testing\"}",
            request.Body);
        Assert.Equal("Resolved", updated.Status);
        Assert.Equal(new[] { "Yossi's playground" }, updated.Tags);
        Assert.Equal("pen testing", updated.Comments.Last().Text);
        Assert.Equal(Tenant, updated.TenantId);
    }

    [Fact]
    public async Task An_update_that_fails_with_a_server_error_is_not_retried()
    {
        _fake.Incidents.Add(FakeDefenderApi.Incident(5));
        _fake.Next.Enqueue(FakeDefenderApi.Error(500, "InternalServerError", "oops"));
        using var client = Client();

        var e = await Assert.ThrowsAsync<DefenderApiException>(() => client.UpdateIncidentAsync(5, new DefenderIncidentUpdate { Comment = "once" }, CancellationToken.None));

        Assert.Equal(DefenderErrors.RequestFailed, e.ErrorId);
        Assert.Single(_fake.Requests);
    }

    [Fact]
    public async Task An_update_403_names_the_read_write_role()
    {
        _fake.Next.Enqueue(FakeDefenderApi.Error(403, "Forbidden", "Forbidden"));
        using var client = Client();

        var e = await Assert.ThrowsAsync<DefenderApiException>(() => client.UpdateIncidentAsync(5, new DefenderIncidentUpdate { Status = DefenderIncidentStatus.Resolved }, CancellationToken.None));

        Assert.Equal(DefenderErrors.PermissionDenied, e.ErrorId);
        Assert.Contains("Incident.ReadWrite.All", e.Message);
    }

    [Fact]
    public void An_update_with_nothing_to_change_or_a_determination_that_does_not_fit_is_refused()
    {
        Assert.Equal(DefenderErrors.UpdateInvalid, Assert.Throws<MdApiTokensException>(() => new DefenderIncidentUpdate().Validate()).ErrorId);
        var e = Assert.Throws<MdApiTokensException>(() => new DefenderIncidentUpdate
        {
            Classification = DefenderIncidentClassification.FalsePositive,
            Determination = DefenderIncidentDetermination.Malware,
        }.Validate());
        Assert.Contains("Clean, NoEnoughDataToValidate, Other", e.RecommendedAction);
    }

    private DefenderIncidentClient Client(string? token = null, string? tenantId = Tenant, Action<DefenderClientOptions>? configure = null)
    {
        var options = new DefenderClientOptions
        {
            Clock = _clock,
            Delay = (wait, _) =>
            {
                lock (_waits)
                {
                    _waits.Add(wait);
                }

                _clock.Advance(wait);
                return Task.CompletedTask;
            },
            Pacer = new DefenderRequestPacer(),
            Retry = new DefenderRetryPolicy { Random = () => 0.5 },
            Log = line =>
            {
                lock (_log)
                {
                    _log.Add(line);
                }
            },
        };
        configure?.Invoke(options);
        return new DefenderIncidentClient(_fake.BaseUri, token ?? TestJwt.Create(Tenant), tenantId, new SocketsHttpHandler { AllowAutoRedirect = false }, options);
    }

    private static Func<Microsoft.AspNetCore.Http.HttpContext, Task> Page(IEnumerable<int> ids) =>
        FakeDefenderApi.Raw(new JsonObject { ["value"] = new JsonArray(ids.Select(id => (JsonNode)FakeDefenderApi.Incident(id)).ToArray()) }.ToJsonString());

    private async Task<List<DefenderIncident>> ListAll(DefenderIncidentQuery query, string? token = null, Action<DefenderClientOptions>? configure = null)
    {
        using var client = Client(token, configure: configure);
        var pager = client.ListIncidents(query);
        var all = new List<DefenderIncident>();
        while (await pager.NextPageAsync(CancellationToken.None) is { } page)
        {
            all.AddRange(page);
        }

        return all;
    }
}
