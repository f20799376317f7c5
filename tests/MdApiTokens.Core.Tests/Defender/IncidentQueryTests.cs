using MdApiTokens.Core.Defender;

namespace MdApiTokens.Core.Tests.Defender;

public class IncidentQueryTests
{
    [Fact]
    public void No_criteria_send_no_filter()
    {
        Assert.Null(new DefenderIncidentQuery().BuildFilter());
        Assert.Null(new DefenderIncidentQuery { Severity = new[] { DefenderIncidentSeverity.High } }.BuildFilter());
    }

    [Fact]
    public void Each_typed_criterion_becomes_its_exact_clause()
    {
        Assert.Equal("status eq 'Active'", new DefenderIncidentQuery { Status = new[] { DefenderIncidentStatus.Active } }.BuildFilter());
        Assert.Equal("assignedTo eq 'secop2@contoso.com'", new DefenderIncidentQuery { AssignedTo = "secop2@contoso.com" }.BuildFilter());
        Assert.Equal("lastUpdateTime ge 2024-05-01T10:00:00.000Z", new DefenderIncidentQuery { LastUpdatedAfter = new DateTimeOffset(2024, 5, 1, 10, 0, 0, TimeSpan.Zero) }.BuildFilter());
        Assert.Equal("createdTime ge 2024-05-01T08:30:00.123Z", new DefenderIncidentQuery { CreatedAfter = new DateTimeOffset(2024, 5, 1, 10, 30, 0, 123, TimeSpan.FromHours(2)) }.BuildFilter());
    }

    [Fact]
    public void Several_statuses_are_or_ed_and_criteria_are_and_ed_in_parentheses()
    {
        var query = new DefenderIncidentQuery
        {
            Filter = "lastUpdateTime lt 2024-06-01T00:00:00Z",
            Status = new[] { DefenderIncidentStatus.Active, DefenderIncidentStatus.InProgress },
            AssignedTo = "o'brien@contoso.com",
            LastUpdatedAfter = new DateTimeOffset(2024, 5, 1, 0, 0, 0, TimeSpan.Zero),
        };

        Assert.Equal(
            "(lastUpdateTime lt 2024-06-01T00:00:00Z) and (status eq 'Active' or status eq 'InProgress') and (assignedTo eq 'o''brien@contoso.com') and (lastUpdateTime ge 2024-05-01T00:00:00.000Z)",
            query.BuildFilter());
    }

    [Fact]
    public void String_literals_double_every_quote()
    {
        Assert.Equal("''''", ODataLiteral.String("'"));
        Assert.Equal("'a''b''''c'", ODataLiteral.String("a'b''c"));
    }

    [Fact]
    public void Instants_are_utc_with_milliseconds_truncated_never_rounded_up()
    {
        var value = new DateTimeOffset(2024, 12, 31, 23, 59, 59, TimeSpan.Zero).AddTicks(9_999_999);
        Assert.Equal("2024-12-31T23:59:59.999Z", ODataLiteral.DateTimeOffset(value));
        Assert.Equal("2024-05-01T14:00:00.000Z", ODataLiteral.DateTimeOffset(new DateTimeOffset(2024, 5, 1, 10, 0, 0, TimeSpan.FromHours(-4))));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(101)]
    public void A_page_size_outside_1_to_100_is_refused(int size)
    {
        var e = Assert.Throws<MdApiTokensException>(() => new DefenderIncidentQuery { PageSize = size }.Validate());
        Assert.Equal(DefenderErrors.QueryInvalid, e.ErrorId);
    }
}
