using MdApiTokens.Core.Defender;
using MdApiTokens.Testing.Defender;
using Microsoft.AspNetCore.Http;

namespace MdApiTokens.Core.Tests.Defender;

/// <summary>What the client does with responses that are too big, that stall or that page oddly, and with a 400 to an update.</summary>
public sealed class DefenderResponseLimitsTests : IAsyncLifetime
{
    private FakeDefenderApi _fake = null!;
    private RecordingClientFactory _clients = null!;

    public async Task InitializeAsync()
    {
        _fake = await FakeDefenderApi.StartAsync();
        _clients = new RecordingClientFactory(_fake);
    }

    public async Task DisposeAsync() => await _fake.DisposeAsync();

    [Fact]
    public async Task A_body_beyond_the_size_limit_is_a_response_too_large_error_and_is_not_retried()
    {
        _fake.AddIncidents(50);

        var e = await Assert.ThrowsAsync<DefenderApiException>(() => _clients.ListAll(new DefenderIncidentQuery(), o => o.MaxResponseBytes = 4096));

        Assert.Equal(DefenderErrors.ResponseTooLarge, e.ErrorId);
        Assert.Equal(ErrorKind.LimitsExceeded, e.Kind);
        Assert.Contains("GET /api/incidents", e.Message);
        Assert.Single(_fake.Requests);
    }

    [Fact]
    public async Task A_body_at_the_size_limit_is_read()
    {
        _fake.AddIncidents(3);
        var size = (await new HttpClient().GetByteArrayAsync(new Uri(_fake.BaseUri, "api/incidents?$top=100"))).Length;

        var incidents = await _clients.ListAll(new DefenderIncidentQuery(), o => o.MaxResponseBytes = size);

        Assert.Equal(3, incidents.Count);
    }

    [Fact]
    public async Task A_body_announced_beyond_the_size_limit_is_refused_before_any_of_it_is_read()
    {
        // A gigabyte announced, a byte sent, then nothing: refused on the announcement, not after a stall.
        _fake.Next.Enqueue(async context =>
        {
            context.Response.ContentType = "application/json";
            context.Response.ContentLength = 1L << 30;
            await context.Response.WriteAsync("{");
            await context.Response.Body.FlushAsync();
            await Task.Delay(Timeout.Infinite, context.RequestAborted).ContinueWith(_ => { });
        });

        var e = await Assert.ThrowsAsync<DefenderApiException>(() => _clients.ListAll(new DefenderIncidentQuery(), o =>
        {
            o.MaxResponseBytes = 4096;
            o.BodyStallTimeout = TimeSpan.FromMinutes(5);
        }));

        Assert.Equal(DefenderErrors.ResponseTooLarge, e.ErrorId);
        Assert.Single(_fake.Requests);
    }

    [Theory]
    [InlineData(0, 3)]
    [InlineData(1, 0)]
    public async Task A_body_of_announced_length_is_read_up_to_the_size_limit_and_not_a_byte_more(int bytesOverLimit, int expected)
    {
        _fake.AddIncidents(3);
        var page = await new HttpClient().GetByteArrayAsync(new Uri(_fake.BaseUri, "api/incidents?$top=100"));
        _fake.Next.Enqueue(async context =>
        {
            context.Response.ContentType = "application/json";
            context.Response.ContentLength = page.Length;
            await context.Response.Body.WriteAsync(page);
        });

        var listing = _clients.ListAll(new DefenderIncidentQuery(), o => o.MaxResponseBytes = page.Length - bytesOverLimit);

        if (expected > 0)
        {
            Assert.Equal(expected, (await listing).Count);
        }
        else
        {
            Assert.Equal(DefenderErrors.ResponseTooLarge, (await Assert.ThrowsAsync<DefenderApiException>(() => listing)).ErrorId);
        }
    }

    [Fact]
    public async Task A_body_of_unannounced_length_many_times_the_first_read_buffer_is_read_whole()
    {
        _fake.AddIncidents(100);

        var incidents = await _clients.ListAll(new DefenderIncidentQuery());

        Assert.Equal(_fake.Incidents.Select(i => (long)i["incidentId"]!), incidents.Select(i => i.IncidentId));
        Assert.True(_fake.Incidents.Sum(i => i.ToJsonString().Length) > 8 * 16 * 1024);
    }

    [Fact]
    public async Task A_body_that_stalls_fails_the_attempt_after_the_stall_timeout_and_is_retried()
    {
        _fake.AddIncidents(2);
        _fake.Next.Enqueue(FakeDefenderApi.StalledBody());

        var incidents = await _clients.ListAll(new DefenderIncidentQuery(), o => o.BodyStallTimeout = TimeSpan.FromMilliseconds(200));

        Assert.Equal(2, incidents.Count);
        Assert.Equal(2, _fake.Requests.Count);
        Assert.Contains(_clients.Log, line => line.Contains("no more of the response body within 200 ms"));
    }

    [Fact]
    public async Task A_body_that_always_stalls_is_a_timeout_after_the_allowed_attempts()
    {
        for (var i = 0; i < 3; i++)
        {
            _fake.Next.Enqueue(FakeDefenderApi.StalledBody());
        }

        var e = await Assert.ThrowsAsync<DefenderApiException>(() => _clients.ListAll(new DefenderIncidentQuery(), o =>
        {
            o.BodyStallTimeout = TimeSpan.FromMilliseconds(200);
            o.Retry.MaxAttempts = 3;
        }));

        Assert.Equal(DefenderErrors.RequestTimeout, e.ErrorId);
        Assert.Contains("after 3 attempts", e.Message);
        Assert.Contains("no more of the response body within 200 ms", e.Message);
        Assert.Equal(3, _fake.Requests.Count);
    }

    [Theory]
    [InlineData(0, 10, 1)]
    [InlineData(1, 10, 1)]
    [InlineData(10, 10, 2)] // the first page has no link and is full: it may be a $skip listing, so one more is asked
    [InlineData(11, 10, 2)]
    [InlineData(20, 10, 2)]
    [InlineData(30, 10, 3)]
    [InlineData(25, 10, 3)]
    public async Task A_next_link_listing_ends_at_the_first_page_without_a_link_whatever_its_size(int count, int pageSize, int requests)
    {
        _fake.ServeNextLink = true;
        _fake.AddIncidents(count);

        var incidents = await _clients.ListAll(new DefenderIncidentQuery { PageSize = pageSize });

        Assert.Equal(_fake.Incidents.Select(i => (long)i["incidentId"]!), incidents.Select(i => i.IncidentId));
        Assert.Equal(requests, _fake.Requests.Count);
    }

    [Theory]
    [InlineData(0, 1)]
    [InlineData(1, 1)]
    [InlineData(10, 2)]
    [InlineData(11, 2)]
    [InlineData(30, 4)]
    public async Task A_skip_listing_asks_once_more_after_a_full_page_and_never_restarts(int count, int requests)
    {
        _fake.AddIncidents(count);

        var incidents = await _clients.ListAll(new DefenderIncidentQuery { PageSize = 10 });

        Assert.Equal(count, incidents.Count);
        Assert.Equal(requests, _fake.Requests.Count);
        Assert.Equal(Enumerable.Range(0, requests).Select(i => i == 0 ? (int?)null : i * 10), _fake.Requests.Select(r => r.Skip));
    }

    [Fact]
    public async Task A_400_on_an_update_advises_on_the_update_not_on_list_filters()
    {
        _fake.AddIncidents(1);
        _fake.Next.Enqueue(FakeDefenderApi.Error(400, "InvalidRequestBody", "Invalid value for determination"));
        using var client = _clients.Create();

        var e = await Assert.ThrowsAsync<DefenderApiException>(() =>
            client.UpdateIncidentAsync(1000, new DefenderIncidentUpdate { Comment = "x" }, CancellationToken.None));

        Assert.Equal(DefenderErrors.InvalidRequest, e.ErrorId);
        Assert.Contains("Set-DefenderIncident", e.RecommendedAction);
        Assert.DoesNotContain("-Filter", e.RecommendedAction);
        Assert.DoesNotContain("Severity", e.RecommendedAction);
        Assert.Contains("Invalid value for determination", e.Message);
    }
}
