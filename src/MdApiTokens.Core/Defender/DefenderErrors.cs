using System;
using System.Collections.Generic;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using MdApiTokens.Core.Shared;

namespace MdApiTokens.Core.Defender;

/// <summary>
/// The stable error ids of the Microsoft 365 Defender capability (scripts and tests match on them) and the failures
/// built from them: what the API answered, turned into a message and an action a person can take. No text here ever
/// contains the access token.
/// </summary>
public static class DefenderErrors
{
    /// <summary>An http (not https) API address that is not a loopback address: the bearer token would travel in clear text.</summary>
    public const string InsecureApiUri = "DefenderInsecureApiUri";

    /// <summary>An API address, region or cloud that cannot be used together, or an address that is not http(s).</summary>
    public const string ApiUriInvalid = "DefenderApiUriInvalid";

    /// <summary>The access token given is empty or not a bearer token this module can send.</summary>
    public const string AccessTokenInvalid = "DefenderAccessTokenInvalid";

    /// <summary>-TenantId names another tenant than the one the access token was issued for.</summary>
    public const string TenantMismatch = "DefenderTenantMismatch";

    /// <summary>A listing's page size or total is out of range.</summary>
    public const string QueryInvalid = "DefenderIncidentQueryInvalid";

    /// <summary>401: the token is expired, malformed or not issued for this API.</summary>
    public const string AuthenticationFailed = "DefenderAuthenticationFailed";

    /// <summary>403: the token is valid but lacks the role (Incident.Read.All / Incident.ReadWrite.All).</summary>
    public const string PermissionDenied = "DefenderPermissionDenied";

    /// <summary>404 for one incident id.</summary>
    public const string IncidentNotFound = "DefenderIncidentNotFound";

    /// <summary>400: the API rejected the request, typically a raw -Filter it cannot apply.</summary>
    public const string InvalidRequest = "DefenderInvalidRequest";

    /// <summary>429 after every allowed retry.</summary>
    public const string Throttled = "DefenderThrottled";

    /// <summary>Any other unsuccessful HTTP status, including 5xx after every allowed retry.</summary>
    public const string RequestFailed = "DefenderRequestFailed";

    /// <summary>The API could not be reached, or the connection broke, after every allowed retry.</summary>
    public const string ConnectionFailed = "DefenderConnectionFailed";

    /// <summary>No response within the request timeout, after every allowed retry.</summary>
    public const string RequestTimeout = "DefenderRequestTimeout";

    /// <summary>A response that is not the JSON the API documents (an HTML page, a truncated body, a foreign nextLink).</summary>
    public const string ResponseInvalid = "DefenderResponseInvalid";

    /// <summary>A response body larger than <see cref="DefenderClientOptions.MaxResponseBytes"/>: not read further, not retried.</summary>
    public const string ResponseTooLarge = "DefenderResponseTooLarge";

    /// <summary>Set-DefenderIncident was given nothing to change, or a determination that does not fit the classification.</summary>
    public const string UpdateInvalid = "DefenderIncidentUpdateInvalid";

    private static string TestAccessTokenAdvice => $"Check the token with Test-AccessToken (its expiry, its audience {CloudTable.Public.DefenderApiAudience} and its roles), or get a new one with Get-PartnerAccessToken.";

    internal static MdApiTokensException AccessTokenNotSendable() =>
        new(AccessTokenInvalid, ErrorKind.InvalidArgument,
            "The access token is empty or contains spaces or control characters, so it cannot be sent as a bearer token.", null,
            "Pass the access_token value (a JWT such as eyJ0eXAi...), for example the output of Get-PartnerAccessToken.");

    internal static MdApiTokensException TenantNotTheTokens(string given, string tokenTenant) =>
        new(TenantMismatch, ErrorKind.InvalidArgument,
            $"-TenantId is {given}, but the access token was issued for tenant {tokenTenant}: the output would be labelled with the wrong tenant.", given,
            "Leave out -TenantId (it is read from the token), or use the token of that tenant.");

    internal static DefenderApiException ForeignHost(Uri uri, Uri apiBase, object target) =>
        new(ResponseInvalid, ErrorKind.SecurityError,
            $"Refusing to send the access token to {uri.GetLeftPart(UriPartial.Authority)}: the API base is {apiBase.GetLeftPart(UriPartial.Authority)}.",
            target, "A response pointed the next page at another host. Report it; do not follow such links by hand with the token.");

    internal static DefenderApiException NextLinkAway(Uri apiBase, object target) =>
        new(ResponseInvalid, ErrorKind.SecurityError,
            $"The API's @odata.nextLink points away from {apiBase.GetLeftPart(UriPartial.Authority)}; the access token is not sent there.",
            target, "Report it; list with a narrower filter or -First meanwhile.");

    internal static DefenderApiException SamePageAgain(Uri uri, object target) =>
        new(ResponseInvalid, ErrorKind.InvalidData,
            $"The API returned the same page of incidents again for {uri.PathAndQuery}; stopping instead of listing it forever.",
            target, "Use -First or a narrower filter; if it persists, the API base may not support $skip.");

    internal static DefenderApiException InvalidResponse(DefenderApiResponse response, string problem, Uri apiBase, object target, Exception? inner = null) =>
        new(ResponseInvalid, ErrorKind.InvalidData,
            $"The response of {response.Method} {response.Uri.AbsolutePath} ({(int)response.Status}, {response.ContentType ?? "no content type"}, {response.BytesRead} bytes read) {problem}.{Snippet(response.Head, response.BytesRead)}",
            target, $"Check that -ApiUri points at the Microsoft 365 Defender API (it is {apiBase}) and that no proxy rewrites the response; try again later.",
            response.Status, null, inner);

    internal static DefenderApiException TooLarge(System.Net.Http.HttpMethod method, Uri uri, long maxBytes, object target) =>
        new(ResponseTooLarge, ErrorKind.LimitsExceeded,
            $"The response of {method} {uri.AbsolutePath} is larger than {maxBytes / (1024 * 1024)} MiB, the most this module reads from one response; it was not read further.",
            target, "Ask for smaller pages (-Top) or narrow the listing with a filter; check that -ApiUri points at the Microsoft 365 Defender API.");

    /// <summary>The documented <c>{"error":{"code","message","target"}}</c> body, or null when the body is something else.</summary>
    internal static DefenderApiError? TryParseApiError(byte[] body)
    {
        if (body.Length == 0)
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.Object)
            {
                return new DefenderApiError(Text(error, "code"), Text(error, "message"), Text(error, "target"));
            }
        }
        catch (JsonException)
        {
        }

        return null;

        static string? Text(JsonElement e, string name) =>
            e.TryGetProperty(name, out var v) && v.ValueKind != JsonValueKind.Null ? v.ToString() : null;
    }

    /// <summary>The failure for an unsuccessful status that is not retried.</summary>
    internal static DefenderApiException Status(DefenderFailedResponse response, DefenderOperation operation, DefenderCallContext call)
    {
        var apiError = response.ApiError;
        var said = apiError is null ? "" : $" The API said: {apiError}.";
        var target = operation.Target(call);
        var status = response.Status;
        switch ((int)status)
        {
            case 401:
                return new DefenderApiException(AuthenticationFailed, ErrorKind.AuthenticationError,
                    $"The Microsoft 365 Defender API rejected the access token (401 Unauthorized){DescribeTokenFor401(call)}: it is expired, malformed, or was not issued for this API.{said}",
                    target, TestAccessTokenAdvice, status, apiError);
            case 403:
                var role = operation.RequiredRole;
                var has = call.Claims is null ? "" : $" The token has {call.Claims.DescribePermissions()}.";
                return new DefenderApiException(PermissionDenied, ErrorKind.PermissionDenied,
                    $"The access token is not allowed to {operation.Description} (403 Forbidden): it needs the application permission {role} of the Microsoft Threat Protection API.{has}{said}",
                    target, $"Add {role.Split(' ')[0]} to the app's API permissions (Microsoft Threat Protection), have the customer's admin consent again (Get-PartnerConsentLink), then get a new token. {TestAccessTokenAdvice}",
                    status, apiError);
            case 404 when operation.IncidentId is { } id:
                return new DefenderApiException(IncidentNotFound, ErrorKind.ObjectNotFound,
                    $"There is no incident {id} in tenant {call.TenantId ?? "(unknown)"} that this token can see.{said}", id,
                    "List incidents with Get-DefenderIncident; a merged incident lives on under its RedirectIncidentId.", status, apiError);
            case 400:
                return new DefenderApiException(InvalidRequest, ErrorKind.InvalidArgument,
                    $"The API rejected the request to {operation.Description} (400 Bad Request).{said}", target, operation.BadRequestAdvice, status, apiError);
            default:
                var hint = (int)status is >= 300 and < 400
                    ? $"The API answered with a redirect{(response.Location is { } location ? " to " + location.GetLeftPart(UriPartial.Authority) : "")}, which is not followed with a token; check -ApiUri."
                    : (int)status == 404 ? $"Check -ApiUri or -Region: {call.ApiBase} has no such API." : "Try again later.";
                return new DefenderApiException(RequestFailed, (int)status >= 500 ? ErrorKind.ResourceUnavailable : ErrorKind.ProtocolError,
                    $"The API could not {operation.Description}: {(int)status} {response.ReasonPhrase}.{said}", target, hint, status, apiError);
        }
    }

    /// <summary>The failure for a retryable status that persisted, or that asked to wait longer than the command waits.</summary>
    internal static DefenderApiException Exhausted(DefenderFailedResponse response, DefenderOperation operation, DefenderCallContext call, int attempts, string? why, DateTimeOffset? retryAt)
    {
        var apiError = response.ApiError;
        var said = apiError is null ? "" : $" The API said: {apiError}.";
        var when = retryAt is { } at ? $" Try again after {at.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)} UTC." : " Try again later.";
        if ((int)response.Status == 429)
        {
            return new DefenderApiException(Throttled, ErrorKind.LimitsExceeded,
                $"The API throttled the request to {operation.Description} (429 Too Many Requests) {Attempts(attempts)}.{(why is null ? "" : " " + why)}{said}",
                operation.Target(call),
                "The API allows about 50 calls a minute and 1,500 an hour per application and tenant; other scripts using the same app count too." + when,
                response.Status, apiError)
            { RetryAt = retryAt };
        }

        return new DefenderApiException(RequestFailed, ErrorKind.ResourceUnavailable,
            $"The API could not {operation.Description}: {(int)response.Status} {response.ReasonPhrase} {Attempts(attempts)}.{(why is null ? "" : " " + why)}{said}",
            operation.Target(call), "The service is having trouble." + when, response.Status, apiError);
    }

    /// <summary>The failure when no complete response arrived: a timeout or a network failure.</summary>
    internal static DefenderApiException Transport(Exception failure, bool timedOut, DefenderOperation operation, DefenderCallContext call, int attempts)
    {
        if (timedOut)
        {
            return new DefenderApiException(RequestTimeout, ErrorKind.OperationTimeout,
                $"The API did not answer the request to {operation.Description} in time {Attempts(attempts)}: {failure.Message}.",
                operation.Target(call), "Try again later; check the network path to " + call.ApiBase.Host + ".", innerException: failure);
        }

        return new DefenderApiException(ConnectionFailed, ErrorKind.ConnectionError,
            $"Could not {operation.Description} at {call.ApiBase.GetLeftPart(UriPartial.Authority)} {Attempts(attempts)}: {Innermost(failure).Message}",
            operation.Target(call), "Check the network, proxy and -ApiUri/-Region; then try again.", innerException: failure);
    }

    internal static string Format(TimeSpan span) =>
        span.TotalSeconds < 1 ? $"{span.TotalMilliseconds:0} ms"
        : span.TotalMinutes < 2 ? string.Format(CultureInfo.InvariantCulture, "{0:0.#} s", span.TotalSeconds)
        : span.ToString(@"h\:mm\:ss", CultureInfo.InvariantCulture);

    private static string DescribeTokenFor401(DefenderCallContext call)
    {
        if (call.Claims is not { } claims)
        {
            return "; the token is not a JWT this module can read";
        }

        var parts = new List<string>();
        if (claims.ExpiresOn is { } exp && exp <= call.Now)
        {
            parts.Add($"it expired at {exp.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)} UTC");
        }

        if (claims.Audience.Length > 0)
        {
            parts.Add($"its audience is {string.Join(", ", claims.Audience)}");
        }

        return parts.Count == 0 ? "" : "; " + string.Join(", ", parts);
    }

    private static string Snippet(byte[] head, long length)
    {
        if (head.Length == 0)
        {
            return "";
        }

        var text = Encoding.UTF8.GetString(head);
        var oneLine = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            oneLine.Append(char.IsControl(c) ? ' ' : c);
        }

        return $" It starts with: {oneLine.ToString().Trim()}{(length > head.Length ? "..." : "")}";
    }

    private static string Attempts(int attempts) => attempts == 1 ? "on the only attempt" : $"after {attempts} attempts";

    private static Exception Innermost(Exception e) => e.InnerException is { } inner && e is not TimeoutException ? Innermost(inner) : e;
}

/// <summary>What a failure message needs to know about the call: where it went, for whom, and when.</summary>
internal readonly record struct DefenderCallContext(Uri ApiBase, string? TenantId, DecodedClaims? Claims, DateTimeOffset Now);

/// <summary>An unsuccessful response, its (small) body read and parsed.</summary>
internal sealed record DefenderFailedResponse(HttpStatusCode Status, string? ReasonPhrase, Uri? Location, DefenderApiError? ApiError);
