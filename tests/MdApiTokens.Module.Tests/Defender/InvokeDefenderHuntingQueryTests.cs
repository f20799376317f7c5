using System.Management.Automation;
using System.Text;
using System.Text.Json.Nodes;
using MdApiTokens.Testing.Defender;
using MdApiTokens.Tests.Shared;

namespace MdApiTokens.Module.Tests.Defender;

public class InvokeDefenderHuntingQueryTests : HuntingTestBase
{
    private const string Query = "DeviceNetworkEvents | where RemotePort == 443 | take 2";

    [Fact]
    public void Three_tenants_get_typed_rows_labelled_by_tenant_through_the_Defender_API()
    {
        foreach (var tenant in new[] { TenantA, TenantB, TenantC })
        {
            Hunting.AddRows(tenant, 2);
        }

        var result = Session.Run(
            "$tokens | Invoke-DefenderHuntingQuery -Query $query -ApiUri $api -ThrottleLimit 1",
            HuntVars(("tokens", new[] { PartnerToken(TenantA), PartnerToken(TenantB), PartnerToken(TenantC) }), ("query", Query))).Succeeded();

        Assert.Equal(new[] { TenantA, TenantA, TenantB, TenantB, TenantC, TenantC }, result.Output.Select(r => Prop(r, "TenantId")));
        AssertTypedRow(result.Output[2], TenantB, 0);
        AssertTypedRow(result.Output[5], TenantC, 1);
        Assert.All(Hunting.Requests, r => Assert.Equal("POST /api/advancedhunting/run", r.Method + " " + r.Path));
        Assert.Equal(new[] { TenantA, TenantB, TenantC }.Select(t => "Bearer " + TestJwt.Create(t)), Hunting.Requests.Select(r => r.Authorization));
        Assert.Equal("{\"Query\":\"" + Query + "\"}", Hunting.Requests[0].Body);
    }

    [Fact]
    public void Three_tenants_get_the_same_typed_rows_through_Microsoft_Graph_when_the_token_is_for_Graph()
    {
        foreach (var tenant in new[] { TenantA, TenantB, TenantC })
        {
            Hunting.AddRows(tenant, 2);
        }

        var result = Session.Run(
            "$tenants | ForEach-Object { [pscustomobject]@{ AccessToken = $_ } } | Invoke-DefenderHuntingQuery -Query $query -GraphUri $api -Timespan ([timespan]'7.00:00:00') -ThrottleLimit 1",
            HuntVars(("tenants", new[] { GraphToken(TenantA), GraphToken(TenantB), GraphToken(TenantC) }), ("query", Query))).Succeeded();

        Assert.Equal(new[] { TenantA, TenantA, TenantB, TenantB, TenantC, TenantC }, result.Output.Select(r => Prop(r, "TenantId")));
        AssertTypedRow(result.Output[0], TenantA, 0);
        AssertTypedRow(result.Output[3], TenantB, 1);
        Assert.All(Hunting.Requests, r => Assert.Equal("POST /v1.0/security/runHuntingQuery", r.Method + " " + r.Path));
        Assert.Equal("{\"Query\":\"" + Query + "\",\"Timespan\":\"P7D\"}", Hunting.Requests[0].Body);
    }

    [Fact]
    public void A_v2_Graph_token_whose_audience_is_the_Graph_application_id_takes_the_Graph_route()
    {
        Hunting.AddRows(TenantA, 1);

        var result = Hunt(("AccessToken", TestJwt.Create(TenantA, audience: "00000003-0000-0000-c000-000000000000"))).Succeeded();

        Assert.Single(result.Output);
        Assert.Equal("/v1.0/security/runHuntingQuery", Assert.Single(Hunting.Requests).Path);
    }

    [Fact]
    public void A_query_error_shows_the_APIs_message_and_points_at_the_query_never_at_the_token()
    {
        var result = Hunt(("Query", "DeviceEvents | syntax error"));

        var error = result.SingleError("DefenderHuntingQueryInvalid", ErrorCategory.InvalidArgument);
        Assert.Contains("Query could not be parsed at 'error' on line [1,18]", error.ErrorDetails.Message);
        Assert.Equal("DeviceEvents | syntax error", error.TargetObject);
        Assert.DoesNotContain("access token", error.ErrorDetails.Message + error.ErrorDetails.RecommendedAction, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("Test-AccessToken", error.ErrorDetails.RecommendedAction, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("query", error.ErrorDetails.RecommendedAction, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void A_used_up_CPU_quota_surfaces_the_APIs_message_and_when_to_come_back_without_waiting_37_minutes()
    {
        Hunting.Next.Enqueue(FakeHuntingApi.CpuQuotaExceeded(retryAfter: "2220"));

        var result = Hunt();

        var error = result.SingleError("DefenderHuntingQuotaExceeded", ErrorCategory.QuotaExceeded);
        Assert.Contains("exceeded the CPU resources allotted to your tenant", error.ErrorDetails.Message);
        Assert.Contains("Try again after 2026-02-02 08:37:00 UTC", error.ErrorDetails.RecommendedAction);
        Assert.Equal(TenantA, error.TargetObject);
        Assert.Single(Hunting.Requests);
        Assert.Empty(Waits);
    }

    [Fact]
    public void A_short_Retry_After_on_a_429_is_waited_out_and_the_query_then_answers()
    {
        Hunting.AddRows(TenantA, 1);
        Hunting.Next.Enqueue(FakeHuntingApi.CpuQuotaExceeded(retryAfter: "20"));

        var result = Hunt().Succeeded();

        Assert.Single(result.Output);
        Assert.Equal(new[] { TimeSpan.FromSeconds(20) }, Waits);
        Assert.Equal(2, Hunting.Requests.Count);
    }

    [Fact]
    public void Queries_are_paced_at_45_a_minute_per_tenant()
    {
        var result = Session.Run("1..46 | ForEach-Object { Invoke-DefenderHuntingQuery -Query 'DeviceInfo | take 1' -ApiUri $api -AccessToken $token }", HuntVars()).Succeeded();

        Assert.Empty(result.Output);
        Assert.Equal(46, Hunting.Requests.Count);
        Assert.Equal(new[] { TimeSpan.FromMinutes(1) }, Waits);
    }

    [Fact]
    public void AsResultSet_gives_one_result_per_tenant_with_the_schema_and_the_statistics_beside_the_rows()
    {
        Hunting.AddRows(TenantA, 3);

        var result = Hunt(("AsResultSet", true)).Succeeded();

        var set = Assert.Single(result.Output);
        Assert.Equal("MdApiTokens.Core.Defender.DefenderHuntingResult", set.BaseObject.GetType().FullName);
        Assert.Equal(3, Prop(set, "RowCount"));
        Assert.Equal(TenantA, Prop(set, "TenantId"));
        Assert.Equal(TimeSpan.FromSeconds(0.125), Prop(set, "ExecutionTime"));
        var statistics = (System.Collections.IDictionary)Prop(set, "Statistics")!;
        Assert.True(statistics.Contains("resource_usage"));
        Assert.Equal(7, ((System.Collections.ICollection)Prop(set, "Columns")!).Count);
        var rows = Session.Run("$s.Rows | ForEach-Object { $_.DeviceName }", new System.Collections.Hashtable { ["s"] = set }).Succeeded();
        Assert.Equal(new[] { "aaaa-pc0", "aaaa-pc1", "aaaa-pc2" }, rows.Output.Select(o => o.ToString()));
        Assert.DoesNotContain(Hunt().Succeeded().Output, r => r.Properties["Stats"] is not null || r.Properties["ExecutionTime"] is not null);
    }

    [Fact]
    public void No_rows_write_nothing_and_no_error()
    {
        var result = Hunt().Succeeded();

        Assert.Empty(result.Output);
        Assert.Empty(result.Warnings);
    }

    [Fact]
    public void An_empty_schema_keeps_each_rows_fields_in_order_as_the_API_sent_them()
    {
        Hunting.Next.Enqueue(FakeDefenderApi.Raw("{\"Schema\":[],\"Results\":[{\"b\":1,\"a\":\"x\",\"c\":{\"d\":true}}]}"));

        var row = Assert.Single(Hunt().Succeeded().Output);

        Assert.Equal(new[] { "TenantId", "b", "a", "c" }, row.Properties.Select(p => p.Name));
        Assert.Equal(1L, Prop(row, "b"));
        Assert.Equal(true, Prop((PSObject)Prop(row, "c")!, "d"));
    }

    [Fact]
    public void Nulls_and_missing_columns_are_null_and_every_row_has_every_column()
    {
        Hunting.Next.Enqueue(FakeDefenderApi.Raw(
            "{\"Schema\":[{\"Name\":\"Timestamp\",\"Type\":\"DateTime\"},{\"Name\":\"Count\",\"Type\":\"Long\"},{\"Name\":\"Extra\",\"Type\":\"Dynamic\"}],"
            + "\"Results\":[{\"Timestamp\":null,\"Count\":null,\"Extra\":null},{\"Count\":5}]}"));

        var rows = Hunt().Succeeded().Output;

        Assert.All(rows, r => Assert.Equal(new[] { "TenantId", "Timestamp", "Count", "Extra" }, r.Properties.Select(p => p.Name)));
        Assert.Null(Prop(rows[0], "Timestamp"));
        Assert.Null(Prop(rows[1], "Extra"));
        Assert.Equal(5L, Prop(rows[1], "Count"));
    }

    [Fact]
    public void Values_that_do_not_fit_their_column_type_are_kept_as_sent_with_a_warning_naming_the_column()
    {
        Hunting.Next.Enqueue(FakeDefenderApi.Raw(
            "{\"Schema\":[{\"Name\":\"Count\",\"Type\":\"Int\"},{\"Name\":\"When\",\"Type\":\"DateTime\"}],"
            + "\"Results\":[{\"Count\":\"many\",\"When\":\"2026-01-10T12:00:00Z\"},{\"Count\":\"7\",\"When\":42}]}"));

        var result = Hunt().Succeeded();

        Assert.Equal("many", Prop(result.Output[0], "Count"));
        Assert.Equal(7, Prop(result.Output[1], "Count"));
        Assert.Equal(new DateTime(2026, 1, 10, 12, 0, 0, DateTimeKind.Utc), Prop(result.Output[0], "When"));
        Assert.Equal(42L, Prop(result.Output[1], "When"));
        Assert.Equal(2, result.Warnings.Count);
        Assert.Contains(result.Warnings, w => w.Contains("Column Count (Int): 1 value(s)", StringComparison.Ordinal));
        Assert.Contains(result.Warnings, w => w.Contains("Column When (DateTime): 1 value(s)", StringComparison.Ordinal));
    }

    [Fact]
    public void More_rows_than_the_API_ever_returns_are_refused_unread()
    {
        var body = new StringBuilder("{\"Schema\":[],\"Results\":[");
        body.Append(string.Join(",", Enumerable.Repeat("{}", 100_001)));
        body.Append("]}");
        Hunting.Next.Enqueue(FakeDefenderApi.Raw(body.ToString()));

        var result = Hunt();

        result.SingleError("DefenderHuntingResultTooLarge", ErrorCategory.LimitsExceeded);
        Assert.Empty(result.Output);
    }

    [Fact]
    public void A_query_of_only_white_space_is_refused_before_any_request()
    {
        Hunt(("Query", "  \n ")).SingleError("DefenderHuntingQueryInvalid", ErrorCategory.InvalidArgument);

        Assert.Empty(Hunting.Requests);
    }

    [Fact]
    public void Hostile_field_names_that_differ_only_in_case_or_are_empty_do_not_break_the_row()
    {
        Hunting.Next.Enqueue(FakeDefenderApi.Raw("{\"Schema\":[{\"Name\":\"Name\",\"Type\":\"String\"}],\"Results\":[{\"Name\":\"first\",\"name\":\"second\",\"\":\"empty\"}]}"));

        var row = Assert.Single(Hunt().Succeeded().Output);

        Assert.Equal("first", Prop(row, "Name"));
        Assert.Equal(new[] { "TenantId", "Name" }, row.Properties.Select(p => p.Name));
    }

    [Fact]
    public void A_body_that_is_not_a_hunting_result_is_an_invalid_response()
    {
        Hunting.Next.Enqueue(FakeDefenderApi.Raw("{\"value\":[]}"));

        Hunt().SingleError("DefenderResponseInvalid", ErrorCategory.InvalidData);
    }

    [Fact]
    public void A_column_the_query_calls_TenantId_is_the_datas_own_and_is_not_overwritten()
    {
        Hunting.Next.Enqueue(FakeDefenderApi.Raw("{\"Schema\":[{\"Name\":\"TenantId\",\"Type\":\"String\"}],\"Results\":[{\"TenantId\":\"from-the-data\"}]}"));

        var row = Assert.Single(Hunt().Succeeded().Output);

        Assert.Equal("from-the-data", Prop(row, "TenantId"));
        Assert.Single(row.Properties);
    }

    [Fact]
    public void Timespan_with_a_Defender_API_token_is_an_error_for_that_tenant_and_the_next_tenant_still_runs()
    {
        Hunting.AddRows(TenantB, 1);

        var result = Session.Run(
            "[pscustomobject]@{ AccessToken = $a }, [pscustomobject]@{ AccessToken = $b } | Invoke-DefenderHuntingQuery -Query 'DeviceInfo' -ApiUri $api -GraphUri $api -Timespan ([timespan]'1.00:00:00')",
            HuntVars(("a", TokenA), ("b", GraphToken(TenantB))));

        var error = result.SingleError("DefenderHuntingTimespanInvalid", ErrorCategory.InvalidArgument);
        Assert.Equal(TenantB, Prop(Assert.Single(result.Output), "TenantId"));
        Assert.Single(Hunting.Requests);
    }

    [Fact]
    public void A_Timespan_that_is_not_positive_is_refused_before_any_request()
    {
        var result = Hunt(("AccessToken", GraphToken(TenantA)), ("Timespan", TimeSpan.Zero));

        result.SingleError("DefenderHuntingTimespanInvalid", ErrorCategory.InvalidArgument);
        Assert.Empty(Hunting.Requests);
    }

    [Fact]
    public void A_Graph_token_without_the_hunting_permission_is_told_which_Graph_permission_it_needs()
    {
        Hunting.Next.Enqueue(FakeDefenderApi.Error(403, "Forbidden", "Missing role permissions on the request."));

        var result = Hunt(("AccessToken", GraphToken(TenantA)));

        var error = result.SingleError("DefenderPermissionDenied", ErrorCategory.PermissionDenied);
        Assert.Contains("ThreatHunting.Read.All", error.ErrorDetails.Message);
        Assert.Contains("Missing role permissions", error.ErrorDetails.Message);
    }

    [Fact]
    public void Nothing_secret_reaches_any_stream_on_success_or_failure()
    {
        Hunting.AddRows(TenantA, 1);
        Hunting.Next.Enqueue(FakeDefenderApi.Error(401, "Unauthorized", "Unauthorized"));
        var graph = GraphToken(TenantB);

        var results = new[]
        {
            Hunt(("Verbose", true)),
            Hunt(("Verbose", true)),
            Hunt(("Verbose", true), ("AccessToken", graph), ("Query", "x | syntax error")),
        };

        Assert.Contains(results[0].AllErrors, e => e.FullyQualifiedErrorId.StartsWith("DefenderAuthenticationFailed", StringComparison.Ordinal));
        Assert.NotEmpty(results[1].Verbose);
        foreach (var text in results.Select(AllText))
        {
            foreach (var token in new[] { TokenA, graph })
            {
                Assert.DoesNotContain(token, text);
                Assert.DoesNotContain(token.Split('.')[1], text);
            }
        }
    }

    private static void AssertTypedRow(PSObject row, string tenant, int index)
    {
        Assert.Equal(new[] { "TenantId", "Timestamp", "DeviceName", "ProcessCount", "BytesSent", "Score", "IsCompliant", "AdditionalFields" }, row.Properties.Select(p => p.Name));
        Assert.Equal(tenant, Prop(row, "TenantId"));
        var timestamp = Assert.IsType<DateTime>(Prop(row, "Timestamp"));
        Assert.Equal(DateTimeKind.Utc, timestamp.Kind);
        Assert.Equal(FakeDefenderApi.Epoch.AddMinutes(-index).UtcDateTime, timestamp);
        Assert.Equal($"{tenant[..4]}-pc{index}", Prop(row, "DeviceName"));
        Assert.Equal(10 + index, Assert.IsType<int>(Prop(row, "ProcessCount")));
        Assert.Equal(5_000_000_000L + index, Assert.IsType<long>(Prop(row, "BytesSent")));
        Assert.Equal(0.5 + index, Assert.IsType<double>(Prop(row, "Score")));
        Assert.Equal(index % 2 == 0, Assert.IsType<bool>(Prop(row, "IsCompliant")));
        var fields = Assert.IsType<PSObject>(Prop(row, "AdditionalFields"));
        Assert.Equal("whoami", Prop(fields, "Command"));
        Assert.Equal(new object[] { 80L, 443L }, (object[])Prop(fields, "Ports")!);
    }
}
