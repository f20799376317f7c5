using System.Management.Automation;
using System.Text.Json.Nodes;
using MdApiTokens.Module.Tests.Infrastructure;
using MdApiTokens.Testing.Defender;

namespace MdApiTokens.Module.Tests.Defender;

public class InvokeDefenderApiRequestTests : HuntingTestBase
{
    [Fact]
    public void All_streams_three_pages_and_writes_each_item_before_the_next_page_is_requested()
    {
        Hunting.AddMachinePages(7, pageSize: 3);

        var result = Session.Run(
            "Invoke-DefenderApiRequest -ApiUri $api -AccessToken $token -Path api/machines -All | ForEach-Object { $fake.Events.Enqueue(\"object $($_.id) $($_.TenantId)\"); $_ }",
            HuntVars()).Succeeded();

        Assert.Equal(
            new[]
            {
                "GET /api/machines", $"object machine-1 {TenantA}", $"object machine-2 {TenantA}", $"object machine-3 {TenantA}",
                "GET /api/machines page=1", $"object machine-4 {TenantA}", $"object machine-5 {TenantA}", $"object machine-6 {TenantA}",
                "GET /api/machines page=2", $"object machine-7 {TenantA}",
            },
            Hunting.Events);
        Assert.Equal(7, result.Output.Count);
        Assert.All(result.Output, o => Assert.Equal("System.Management.Automation.PSCustomObject", o.ImmediateBaseObject.GetType().FullName));
    }

    [Fact]
    public void Without_All_the_answer_is_one_object_as_ConvertFrom_Json_gives_it()
    {
        Hunting.AddMachinePages(4, pageSize: 3);

        var answer = Assert.Single(Call(("ApiUri", Hunting.BaseUri), ("AccessToken", TokenA), ("Path", "/api/machines")).Succeeded().Output);

        Assert.Equal(3, ((object[])Prop(answer, "value")!).Length);
        Assert.Equal(Hunting.BaseUri + "api/machines?page=1", Prop(answer, "@odata.nextLink"));
        Assert.Equal("pc1.contoso.com", Prop((PSObject)((object[])Prop(answer, "value")!)[0], "computerDnsName"));
        Assert.Single(Hunting.Requests);
    }

    [Theory]
    [InlineData("https://evil.example.com/api/machines")]
    [InlineData("https://graph.microsoft.com/v1.0/security/alerts_v2")]
    [InlineData("https://security.microsoft.com/api/incidents")]
    [InlineData("https://api.security.microsoft.com.evil.example.com/api/incidents")]
    public void An_absolute_Uri_off_the_Defender_hosts_is_refused_before_the_token_goes_anywhere(string uri)
    {
        var result = Call(("AccessToken", TokenA), ("Uri", new Uri(uri)));

        var error = result.SingleError("DefenderApiRequestHostNotAllowed", ErrorCategory.SecurityError);
        Assert.Contains("-ApiUri", error.ErrorDetails.RecommendedAction);
    }

    [Fact]
    public void An_absolute_Uri_on_the_host_given_as_ApiUri_is_allowed()
    {
        Hunting.AddMachinePages(1, pageSize: 3);

        var result = Call(("ApiUri", Hunting.BaseUri), ("AccessToken", TokenA), ("Uri", new Uri(Hunting.BaseUri, "api/machines"))).Succeeded();

        Assert.Single(result.Output);
        Assert.Equal("Bearer " + TokenA, Assert.Single(Hunting.Requests).Authorization);
    }

    [Theory]
    [InlineData("https://evil.example.com/api/machines")]
    [InlineData("//evil.example.com/api/machines")]
    [InlineData("../../outside")]
    public void A_Path_that_leaves_the_API_base_is_refused(string path)
    {
        var result = Call(("ApiUri", new Uri(Hunting.BaseUri, "prefix/")), ("AccessToken", TokenA), ("Path", path));

        result.SingleError("DefenderApiRequestPathInvalid", ErrorCategory.InvalidArgument);
        Assert.Empty(Hunting.Requests);
    }

    [Fact]
    public void A_hashtable_body_is_sent_as_JSON_and_a_JSON_string_as_it_is()
    {
        Hunting.Next.Enqueue(FakeDefenderApi.Raw("{\"id\":\"action-1\",\"status\":\"Pending\"}", status: 201));
        Hunting.Next.Enqueue(FakeDefenderApi.Raw("", status: 204));

        var result = Session.Run(
            "Invoke-DefenderApiRequest -ApiUri $api -AccessToken $token -Method Post -Path api/machines/m1/isolate -Body @{ Comment = 'Isolate: incident 42'; IsolationType = 'Full'; Tags = @('a', 'b'); Nested = [pscustomobject]@{ When = [datetime]::new(2026, 1, 2, 3, 4, 5, [DateTimeKind]::Utc); Count = 3 } }; " +
            "Invoke-DefenderApiRequest -ApiUri $api -AccessToken $token -Method Patch -Path api/alerts/a1 -Body '{\"status\":\"Resolved\"}'",
            HuntVars()).Succeeded();

        Assert.Equal("Pending", Prop(Assert.Single(result.Output), "status"));
        var sent = JsonNode.Parse(Hunting.Requests[0].Body!)!.AsObject();
        Assert.Equal("Isolate: incident 42", (string?)sent["Comment"]);
        Assert.Equal(new[] { "a", "b" }, sent["Tags"]!.AsArray().Select(n => (string?)n));
        Assert.Equal("2026-01-02T03:04:05.0000000Z", (string?)sent["Nested"]!["When"]);
        Assert.Equal(3, (int)sent["Nested"]!["Count"]!);
        Assert.Equal("POST /api/machines/m1/isolate", Hunting.Requests[0].Method + " " + Hunting.Requests[0].Path);
        Assert.Equal("{\"status\":\"Resolved\"}", Hunting.Requests[1].Body);
        Assert.Equal("PATCH", Hunting.Requests[1].Method);
    }

    [Theory]
    [InlineData("-Method Post -Body '{not json'")]
    [InlineData("-Body @{ a = 1 }")]
    [InlineData("-Method Post -Body @{ a = [double]::NaN }")]
    public void A_body_that_cannot_be_sent_is_refused_before_any_request(string parameters)
    {
        var result = Session.Run($"Invoke-DefenderApiRequest -ApiUri $api -AccessToken $token -Path api/machines {parameters}", HuntVars());

        result.SingleError("DefenderApiRequestBodyInvalid", ErrorCategory.InvalidArgument);
        Assert.Empty(Hunting.Requests);
    }

    [Fact]
    public void A_body_that_refers_to_itself_is_refused_not_followed_forever()
    {
        var result = Session.Run("$o = @{}; $o.Self = $o; Invoke-DefenderApiRequest -ApiUri $api -AccessToken $token -Method Post -Path api/x -Body $o", HuntVars());

        result.SingleError("DefenderApiRequestBodyInvalid", ErrorCategory.InvalidArgument);
        Assert.Empty(Hunting.Requests);
    }

    [Fact]
    public void A_live_object_graph_as_body_is_refused_instead_of_walked_without_end()
    {
        var result = Session.Run("Invoke-DefenderApiRequest -ApiUri $api -AccessToken $token -Method Post -Path api/x -Body (1..100001)", HuntVars());

        Assert.Contains("100,000 values", result.SingleError("DefenderApiRequestBodyInvalid", ErrorCategory.InvalidArgument).ErrorDetails.Message);
        Assert.Empty(Hunting.Requests);
    }

    [Fact]
    public void WhatIf_sends_no_change()
    {
        var result = Session.Run("Invoke-DefenderApiRequest -ApiUri $api -AccessToken $token -Method Delete -Path api/indicators/1 -WhatIf", HuntVars()).Succeeded();

        Assert.Empty(result.Output);
        Assert.Empty(Hunting.Requests);
    }

    [Fact]
    public void Retry_After_on_a_429_is_waited_out_and_the_request_then_answers()
    {
        Hunting.AddMachinePages(1, pageSize: 3);
        Hunting.Next.Enqueue(FakeDefenderApi.Error(429, "TooManyRequests", "Rate limit is exceeded.", retryAfter: "7"));

        var result = Call(("ApiUri", Hunting.BaseUri), ("AccessToken", TokenA), ("Path", "api/machines"), ("All", true)).Succeeded();

        Assert.Single(result.Output);
        Assert.Equal(new[] { TimeSpan.FromSeconds(7) }, Waits);
    }

    [Fact]
    public void A_bad_request_keeps_the_APIs_message_and_a_403_says_the_endpoint_decides_the_permission()
    {
        Hunting.Next.Enqueue(FakeDefenderApi.Error(400, "InvalidRequestBody", "Request body is incorrect"));
        Hunting.Next.Enqueue(FakeDefenderApi.Error(403, "Forbidden", "The application does not have any of the required application permissions (Machine.Isolate)"));

        var bad = Call(("ApiUri", Hunting.BaseUri), ("AccessToken", TokenA), ("Path", "api/machines/m1/isolate"), ("Method", "Post"), ("Body", "{}"));
        var denied = Call(("ApiUri", Hunting.BaseUri), ("AccessToken", TokenA), ("Path", "api/machines/m1/isolate"), ("Method", "Post"), ("Body", "{}"));

        Assert.Contains("Request body is incorrect", bad.SingleError("DefenderInvalidRequest", ErrorCategory.InvalidArgument).ErrorDetails.Message);
        var error = denied.SingleError("DefenderPermissionDenied", ErrorCategory.PermissionDenied);
        Assert.Contains("Machine.Isolate", error.ErrorDetails.Message);
        Assert.Contains("POST /api/machines/m1/isolate", error.ErrorDetails.Message);
    }

    [Fact]
    public void A_next_link_to_another_host_ends_the_listing_after_the_page_that_carried_it()
    {
        Hunting.Next.Enqueue(FakeDefenderApi.Raw("{\"value\":[{\"id\":\"m1\"}],\"@odata.nextLink\":\"https://evil.example.com/api/machines?page=1\"}"));

        var result = Call(("ApiUri", Hunting.BaseUri), ("AccessToken", TokenA), ("Path", "api/machines"), ("All", true));

        Assert.Equal("m1", Prop(Assert.Single(result.Output), "id"));
        result.SingleError("DefenderResponseInvalid", ErrorCategory.SecurityError);
        Assert.Single(Hunting.Requests);
    }

    [Fact]
    public void A_next_link_back_to_a_page_already_read_ends_the_listing_instead_of_looping()
    {
        var self = Hunting.BaseUri + "api/machines";
        Hunting.Next.Enqueue(FakeDefenderApi.Raw("{\"value\":[{\"id\":\"m1\"}],\"@odata.nextLink\":\"" + self + "?page=1\"}"));
        Hunting.Next.Enqueue(FakeDefenderApi.Raw("{\"value\":[{\"id\":\"m2\"}],\"@odata.nextLink\":\"" + self + "?page=1\"}"));

        var result = Call(("ApiUri", Hunting.BaseUri), ("AccessToken", TokenA), ("Path", "api/machines"), ("All", true));

        Assert.Equal(new[] { "m1", "m2" }, result.Output.Select(o => Prop(o, "id")));
        result.SingleError("DefenderResponseInvalid", ErrorCategory.InvalidData);
        Assert.Equal(2, Hunting.Requests.Count);
    }

    [Fact]
    public void A_text_answer_is_written_as_a_string_and_an_array_answer_item_by_item()
    {
        Hunting.Next.Enqueue(FakeDefenderApi.Raw("plain text answer", contentType: "text/plain"));
        Hunting.Next.Enqueue(FakeDefenderApi.Raw("[{\"id\":1},{\"id\":2}]"));

        var text = Call(("ApiUri", Hunting.BaseUri), ("AccessToken", TokenA), ("Path", "api/files/x/download")).Succeeded();
        var array = Call(("ApiUri", Hunting.BaseUri), ("AccessToken", TokenA), ("Path", "api/list")).Succeeded();

        Assert.Equal("plain text answer", Assert.Single(text.Output).BaseObject);
        Assert.Equal(new object[] { 1L, 2L }, array.Output.Select(o => Prop(o, "id")));
        Assert.All(array.Output, o => Assert.Equal(TenantA, Prop(o, "TenantId")));
    }

    [Fact]
    public void Plain_http_to_a_remote_host_is_refused_as_for_every_Defender_call()
    {
        var result = Call(("ApiUri", new Uri("http://api.security.microsoft.com/")), ("AccessToken", TokenA), ("Path", "api/machines"));

        result.SingleError("DefenderInsecureApiUri", ErrorCategory.SecurityError);
    }

    [Fact]
    public void Piped_tokens_call_each_tenant_and_label_its_objects_and_nothing_secret_is_written()
    {
        Hunting.AddMachinePages(2, pageSize: 3);
        Hunting.Next.Enqueue(FakeDefenderApi.Error(401, "Unauthorized", "Unauthorized"));

        var result = Session.Run(
            "$tokens | Invoke-DefenderApiRequest -ApiUri $api -Path api/machines -All -Verbose -ThrottleLimit 1",
            HuntVars(("tokens", new[] { PartnerToken(TenantB), PartnerToken(TenantA) })));

        result.SingleError("DefenderAuthenticationFailed", ErrorCategory.AuthenticationError);
        Assert.Equal(new[] { TenantA, TenantA }, result.Output.Select(o => Prop(o, "TenantId")));
        var text = AllText(result);
        foreach (var tenant in new[] { TenantA, TenantB })
        {
            var token = MdApiTokens.Tests.Shared.TestJwt.Create(tenant);
            Assert.DoesNotContain(token, text);
            Assert.DoesNotContain(token.Split('.')[1], text);
        }
    }

    private RunResult Call(params (string Name, object? Value)[] parameters)
    {
        var table = new System.Collections.Hashtable(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, value) in parameters)
        {
            table[name] = value;
        }

        return Session.Command("Invoke-DefenderApiRequest", table);
    }
}
