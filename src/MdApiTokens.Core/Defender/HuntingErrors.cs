using System;
using System.Globalization;
using System.Net;

namespace MdApiTokens.Core.Defender;

/// <summary>
/// The stable error ids of advanced hunting (Invoke-DefenderHuntingQuery) and the failures built from them. A query the
/// API rejects is about the query, never the token; a used-up quota says which limit the API reported. Failures not
/// listed here keep the ids of <see cref="DefenderErrors"/>.
/// </summary>
public static class DefenderHuntingErrors
{
    /// <summary>400: the API rejected the query (syntax, an unknown table or column, a result over its size limit); or the query is empty.</summary>
    public const string QueryInvalid = "DefenderHuntingQueryInvalid";

    /// <summary>429 after every allowed retry: the tenant's call rate or CPU quota for hunting is used up.</summary>
    public const string QuotaExceeded = "DefenderHuntingQuotaExceeded";

    /// <summary>A result with more rows than the API documents (100,000): not read.</summary>
    public const string ResultTooLarge = "DefenderHuntingResultTooLarge";

    /// <summary>-Timespan with a token for the Defender API, which has no such parameter, or a span that is not positive.</summary>
    public const string TimespanInvalid = "DefenderHuntingTimespanInvalid";

    internal const string QuotaAdvice = "Advanced hunting allows each tenant 45 calls a minute and 1,500 an hour, and 10 minutes of query time an hour and 3 hours a day; the API's message says which limit was reached. Make the query cheaper (a shorter time range, filters first, fewer columns) or run it later.";

    internal static MdApiTokensException QueryEmpty() =>
        new(QueryInvalid, ErrorKind.InvalidArgument, "The query is empty or only white space.", null,
            "Give a KQL query, for example 'DeviceInfo | take 10'.");

    internal static MdApiTokensException TimespanWithDefenderToken(object target) =>
        new(TimespanInvalid, ErrorKind.InvalidArgument,
            "-Timespan is a parameter of Microsoft Graph's runHuntingQuery, but the access token is for the Microsoft 365 Defender API, whose hunting API has none.",
            target, "Filter on time in the query instead (| where Timestamp > ago(7d)), or use a token for Microsoft Graph (audience " + MicrosoftGraphEndpoint.DefaultResource + ", ThreatHunting.Read.All).",
            scope: ErrorScope.Item);

    internal static MdApiTokensException TimespanNotPositive(TimeSpan timespan) =>
        new(TimespanInvalid, ErrorKind.InvalidArgument,
            $"-Timespan is {timespan}: it must be a positive span, such as 7.00:00:00 for the last seven days.", timespan,
            "Give how far back the query looks, for example -Timespan (New-TimeSpan -Days 7).");

    internal static DefenderApiException TooManyRows(int rows, object target) =>
        new(ResultTooLarge, ErrorKind.LimitsExceeded,
            $"The hunting result has {rows.ToString("N0", CultureInfo.InvariantCulture)} rows, more than the {DefenderHuntingClient.MaxRows.ToString("N0", CultureInfo.InvariantCulture)} the API returns at most; it was not read.",
            target, "Check that -ApiUri or -GraphUri points at the real API; narrow the query with | take or | summarize.");

    /// <summary>The hunting failure for what the transport reported: the query's own errors and quotas in hunting's words, token errors in the route's.</summary>
    internal static DefenderApiException Rephrase(DefenderApiException e, DefenderHuntingRoute route, string query, object target)
    {
        var said = e.ApiError?.Message is { } message ? $" The API said: {message}" : "";
        var api = route == DefenderHuntingRoute.MicrosoftGraph ? "Microsoft Graph" : "the Microsoft 365 Defender API";
        switch (e.StatusCode is { } status ? (int)status : 0)
        {
            case 400:
                return new DefenderApiException(QueryInvalid, ErrorKind.InvalidArgument,
                    $"The advanced hunting query was rejected by {api} (400 Bad Request).{said}", Shorten(query),
                    "Fix the query (the message above is the API's own); try it on the Advanced hunting page of the Microsoft Defender portal. Queries see the last 30 days, return at most 100,000 rows and 124 MB, and run at most 3 minutes.",
                    e.StatusCode, e.ApiError);
            case 429:
                var when = e.RetryAt is { } at ? $" Try again after {at.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)} UTC." : "";
                return new DefenderApiException(QuotaExceeded, ErrorKind.QuotaExceeded,
                    $"Advanced hunting in tenant {target} is over its quota (429 Too Many Requests).{said}", target, QuotaAdvice + when,
                    e.StatusCode, e.ApiError)
                { RetryAt = e.RetryAt };
            case 401 when route == DefenderHuntingRoute.MicrosoftGraph:
                return new DefenderApiException(DefenderErrors.AuthenticationFailed, ErrorKind.AuthenticationError,
                    $"Microsoft Graph rejected the access token (401 Unauthorized): it is expired, malformed, or not issued for Microsoft Graph.{said}", target,
                    "Check the token with Test-AccessToken -Audience " + MicrosoftGraphEndpoint.DefaultResource + " (its expiry and audience), or get a new one with Get-PartnerAccessToken -Scope " + MicrosoftGraphEndpoint.DefaultResource + "/.default.",
                    e.StatusCode, e.ApiError);
            case 403:
                var permission = route == DefenderHuntingRoute.MicrosoftGraph ? "ThreatHunting.Read.All of Microsoft Graph" : "AdvancedHunting.Read.All of the Microsoft Threat Protection API";
                return new DefenderApiException(DefenderErrors.PermissionDenied, ErrorKind.PermissionDenied,
                    $"The access token is not allowed to run advanced hunting queries (403 Forbidden): it needs the application permission {permission}.{said}", target,
                    $"Add {permission.Split(' ')[0]} to the app's API permissions, have the customer's admin consent again (Get-PartnerConsentLink), then get a new token.",
                    e.StatusCode, e.ApiError);
            default:
                return e;
        }
    }

    private static string Shorten(string query)
    {
        var oneLine = query.Replace("\r", " ").Replace("\n", " ").Trim();
        return oneLine.Length <= 200 ? oneLine : oneLine.Substring(0, 197) + "...";
    }
}
