using System;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Threading;
using System.Threading.Tasks;
using MdApiTokens.Core.Shared;

namespace MdApiTokens.Core.Defender;

/// <summary>
/// The Microsoft 365 Defender incidents API for one tenant's access token: get, list (paged, see
/// <see cref="DefenderIncidentPager"/>) and update incidents, paced under the API's limits, retrying throttling and
/// transient failures, and turning every failure into a <see cref="DefenderApiException"/> a person can act on.
/// The token is sent only to the API base, over https (or http to a loopback address).
/// </summary>
public sealed class DefenderIncidentClient : IDisposable
{
    internal static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNameCaseInsensitive = true,
    };

    private static string TestAccessTokenAdvice => $"Check the token with Test-AccessToken (its expiry, its audience {CloudTable.Public.DefenderApiAudience} and its roles), or get a new one with Get-PartnerAccessToken.";

    private readonly HttpClient _http;
    private readonly string _accessToken;
    private readonly DecodedClaims? _claims;
    private readonly DefenderClientOptions _options;
    private readonly string _pacerKey;

    /// <param name="apiBase">The API base (see <see cref="DefenderApiEndpoint"/>).</param>
    /// <param name="accessToken">The bearer token (a leading "Bearer " is ignored).</param>
    /// <param name="tenantId">The tenant the token is for; read from its tid claim when null.</param>
    /// <param name="handler">Sends the requests; not disposed with the client, so one handler can serve many clients.</param>
    public DefenderIncidentClient(Uri apiBase, string accessToken, string? tenantId, HttpMessageHandler handler, DefenderClientOptions? options = null)
    {
        ApiBase = DefenderApiEndpoint.CheckSafeForBearerToken(apiBase);
        _accessToken = NormaliseToken(accessToken);
        _claims = BearerToken.TryDecode(_accessToken);
        TenantId = ResolveTenant(tenantId, _claims);
        _options = options ?? new DefenderClientOptions();
        _http = new HttpClient(handler ?? throw new ArgumentNullException(nameof(handler)), disposeHandler: false) { Timeout = Timeout.InfiniteTimeSpan };
        _pacerKey = DefenderRequestPacer.KeyFor(ApiBase, TenantId);
    }

    /// <summary>The API base requests go to, ending in '/'.</summary>
    public Uri ApiBase { get; }

    /// <summary>The tenant the token is for (given, or from its tid claim); null when neither says.</summary>
    public string? TenantId { get; }

    /// <summary>Reads one incident; a 404 is a <see cref="DefenderErrorIds.IncidentNotFound"/> error.</summary>
    public async Task<DefenderIncident> GetIncidentAsync(long incidentId, CancellationToken cancellationToken)
    {
        var response = await SendAsync(HttpMethod.Get, IncidentUri(incidentId), null, new Operation(OperationKind.Get, incidentId), cancellationToken).ConfigureAwait(false);
        return Label(ParseIncident(response));
    }

    /// <summary>A pager over the incidents <paramref name="query"/> selects; nothing is requested until its first page is asked for.</summary>
    public DefenderIncidentPager ListIncidents(DefenderIncidentQuery query)
    {
        (query ?? throw new ArgumentNullException(nameof(query))).Validate();
        return new DefenderIncidentPager(this, query);
    }

    /// <summary>Applies <paramref name="update"/> to an incident and returns the incident as the API returns it afterwards.</summary>
    public async Task<DefenderIncident> UpdateIncidentAsync(long incidentId, DefenderIncidentUpdate update, CancellationToken cancellationToken)
    {
        (update ?? throw new ArgumentNullException(nameof(update))).Validate();
        var body = update.ToJson();
        var operation = new Operation(OperationKind.Update, incidentId);
        var response = await SendAsync(new HttpMethod("PATCH"), IncidentUri(incidentId), body, operation, cancellationToken).ConfigureAwait(false);
        if (response.Body.Length == 0)
        {
            // Documented to return the updated incident; if a server answers 204 instead, read it back.
            response = await SendAsync(HttpMethod.Get, IncidentUri(incidentId), null, new Operation(OperationKind.Get, incidentId), cancellationToken).ConfigureAwait(false);
        }

        return Label(ParseIncident(response));
    }

    public void Dispose() => _http.Dispose();

    public override string ToString() => $"Defender incidents API at {ApiBase} for tenant {TenantId ?? "(unknown)"}";

    internal Uri ListUri(string? filter, int top, int skip)
    {
        var query = new StringBuilder();
        if (filter is not null)
        {
            query.Append("$filter=").Append(Uri.EscapeDataString(filter)).Append('&');
        }

        query.Append("$top=").Append(top.ToString(CultureInfo.InvariantCulture));
        if (skip > 0)
        {
            query.Append("&$skip=").Append(skip.ToString(CultureInfo.InvariantCulture));
        }

        return new Uri(ApiBase, "api/incidents?" + query);
    }

    internal async Task<IncidentPage> GetPageAsync(Uri uri, CancellationToken cancellationToken)
    {
        var response = await SendAsync(HttpMethod.Get, uri, null, new Operation(OperationKind.List, null), cancellationToken).ConfigureAwait(false);
        IncidentPage? page;
        try
        {
            page = JsonSerializer.Deserialize<IncidentPage>(response.Body, JsonOptions);
        }
        catch (JsonException e)
        {
            throw InvalidResponse(response, "is not a page of incidents: " + e.Message, e);
        }

        if (page?.Value is null || page.Value.Any(i => i is null))
        {
            throw InvalidResponse(response, "has no \"value\" array of incidents");
        }

        foreach (var incident in page.Value)
        {
            Label(incident);
        }

        return page;
    }

    internal void Log(string message) => _options.Log?.Invoke(message);

    internal DefenderApiException InvalidResponse(ApiResponse response, string problem, Exception? inner = null) =>
        new(DefenderErrorIds.ResponseInvalid, ErrorKind.InvalidData,
            $"The response of {response.Method} {response.Uri.AbsolutePath} ({(int)response.Status}, {response.ContentType ?? "no content type"}, {response.Body.Length} bytes) {problem}.{Snippet(response.Body)}",
            TenantId ?? ApiBase.Host, $"Check that -ApiUri points at the Microsoft 365 Defender API (it is {ApiBase}) and that no proxy rewrites the response; try again later.",
            response.Status, null, inner);

    private static string NormaliseToken(string accessToken)
    {
        var token = BearerToken.Normalize(accessToken);

        if (token.Length == 0 || token.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
        {
            throw new MdApiTokensException(DefenderErrorIds.AccessTokenInvalid, ErrorKind.InvalidArgument,
                "The access token is empty or contains spaces or control characters, so it cannot be sent as a bearer token.", null,
                "Pass the access_token value (a JWT such as eyJ0eXAi...), for example the output of Get-PartnerAccessToken.");
        }

        return token;
    }

    private static string? ResolveTenant(string? tenantId, DecodedClaims? claims)
    {
        var given = string.IsNullOrWhiteSpace(tenantId) ? null : tenantId!.Trim();
        if (given is not null && claims?.TenantId is { } tid && !string.Equals(given, tid, StringComparison.OrdinalIgnoreCase))
        {
            throw new MdApiTokensException(DefenderErrorIds.TenantMismatch, ErrorKind.InvalidArgument,
                $"-TenantId is {given}, but the access token was issued for tenant {tid}: the incidents would be labelled with the wrong tenant.", given,
                "Leave out -TenantId (it is read from the token), or use the token of that tenant.");
        }

        return given ?? claims?.TenantId;
    }

    private static string Snippet(byte[] body)
    {
        if (body.Length == 0)
        {
            return "";
        }

        var text = Encoding.UTF8.GetString(body, 0, Math.Min(body.Length, 160));
        var oneLine = new string(text.Select(c => char.IsControl(c) ? ' ' : c).ToArray()).Trim();
        return $" It starts with: {oneLine}{(body.Length > 160 ? "..." : "")}";
    }

    private DefenderIncident Label(DefenderIncident incident)
    {
        incident.TenantId = TenantId;
        incident.ApiUri = ApiBase;
        return incident;
    }

    private DefenderIncident ParseIncident(ApiResponse response)
    {
        try
        {
            return JsonSerializer.Deserialize<DefenderIncident>(response.Body, JsonOptions) ?? throw InvalidResponse(response, "is null, not an incident");
        }
        catch (JsonException e)
        {
            throw InvalidResponse(response, "is not an incident: " + e.Message, e);
        }
    }

    private Uri IncidentUri(long incidentId) => new(ApiBase, "api/incidents/" + incidentId.ToString(CultureInfo.InvariantCulture));

    private async Task<ApiResponse> SendAsync(HttpMethod method, Uri uri, byte[]? body, Operation operation, CancellationToken cancellationToken)
    {
        if (!DefenderApiEndpoint.IsSameOrigin(ApiBase, uri))
        {
            throw new DefenderApiException(DefenderErrorIds.ResponseInvalid, ErrorKind.SecurityError,
                $"Refusing to send the access token to {uri.GetLeftPart(UriPartial.Authority)}: the API base is {ApiBase.GetLeftPart(UriPartial.Authority)}.",
                TenantId ?? ApiBase.Host, "A response pointed the next page at another host. Report it; do not follow such links by hand with the token.");
        }

        var retry = _options.Retry;
        var maxAttempts = Math.Max(1, retry.MaxAttempts);
        for (var attempt = 1; ; attempt++)
        {
            var pace = _options.Pacer.Reserve(_pacerKey, _options.Clock.UtcNow);
            if (pace > TimeSpan.Zero)
            {
                Log($"Waiting {Format(pace)} to stay within the API's call limits for {ApiBase.Host}.");
                await _options.Delay(pace, cancellationToken).ConfigureAwait(false);
            }

            cancellationToken.ThrowIfCancellationRequested();
            Log($"{method} {uri.PathAndQuery}{(attempt > 1 ? $" (attempt {attempt} of {maxAttempts})" : "")}");
            var outcome = await AttemptAsync(method, uri, body, cancellationToken).ConfigureAwait(false);
            if (outcome.Response is { } response && (int)response.Status is >= 200 and < 300)
            {
                return response;
            }

            var canRetry = attempt < maxAttempts;
            if (outcome.Response is { } failed)
            {
                var apiError = TryParseError(failed.Body);
                if (!DefenderRetryPolicy.IsRetryable(failed.Status, method))
                {
                    throw StatusError(failed, apiError, operation);
                }

                var retryAfter = DefenderRetryPolicy.RetryAfter(failed.Message, _options.Clock.UtcNow, apiError);
                if (retryAfter > retry.MaxRetryAfter)
                {
                    throw Exhausted(failed, apiError, operation, attempt, $"The API asks to wait {Format(retryAfter.Value)} before the next call, longer than this command waits ({Format(retry.MaxRetryAfter)}).", _options.Clock.UtcNow + retryAfter.Value);
                }

                if (!canRetry)
                {
                    throw Exhausted(failed, apiError, operation, attempt, null, retryAfter is { } r ? _options.Clock.UtcNow + r : null);
                }

                var wait = retryAfter ?? retry.Backoff(attempt);
                Log($"{(int)failed.Status} {failed.Status}{(apiError is null ? "" : " (" + apiError + ")")}: trying again in {Format(wait)}{(retryAfter is null ? "" : " as Retry-After asks")}.");
                await _options.Delay(wait, cancellationToken).ConfigureAwait(false);
                continue;
            }

            // No response: a network failure or a timeout.
            if (method != HttpMethod.Get || !canRetry)
            {
                throw TransportError(outcome, operation, attempt);
            }

            var backoff = retry.Backoff(attempt);
            Log($"{outcome.Failure!.Message}: trying again in {Format(backoff)}.");
            await _options.Delay(backoff, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<AttemptOutcome> AttemptAsync(HttpMethod method, Uri uri, byte[]? body, CancellationToken cancellationToken)
    {
        using var attemptCancellation = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        attemptCancellation.CancelAfter(_options.RequestTimeout);
        using var request = new HttpRequestMessage(method, uri);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _accessToken);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        if (body is not null)
        {
            request.Content = new ByteArrayContent(body);
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        }

        HttpResponseMessage? message = null;
        try
        {
            message = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, attemptCancellation.Token).ConfigureAwait(false);

            // Disposing the response aborts a body read that ignores the token (older runtimes).
            using var abort = attemptCancellation.Token.Register(static state => ((IDisposable)state!).Dispose(), message);
            using var content = await message.Content.ReadAsStreamAsync().ConfigureAwait(false);
            using var buffer = new MemoryStream();
            await content.CopyToAsync(buffer, 81920, attemptCancellation.Token).ConfigureAwait(false);
            attemptCancellation.Token.ThrowIfCancellationRequested();
            return new AttemptOutcome(new ApiResponse(method, uri, message.StatusCode, message.Content.Headers.ContentType?.MediaType, buffer.ToArray(), message), null, false);
        }
        catch (Exception e) when (cancellationToken.IsCancellationRequested && e is OperationCanceledException or ObjectDisposedException or IOException or HttpRequestException)
        {
            message?.Dispose();
            throw new OperationCanceledException("The request was cancelled.", e, cancellationToken);
        }
        catch (Exception e) when (attemptCancellation.IsCancellationRequested && e is OperationCanceledException or ObjectDisposedException or IOException or HttpRequestException)
        {
            message?.Dispose();
            return new AttemptOutcome(null, new TimeoutException($"No complete response within {Format(_options.RequestTimeout)}", e), true);
        }
        catch (Exception e) when (e is HttpRequestException or IOException)
        {
            message?.Dispose();
            return new AttemptOutcome(null, e, false);
        }
    }

    private static DefenderApiError? TryParseError(byte[] body)
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

    private DefenderApiException StatusError(ApiResponse response, DefenderApiError? apiError, Operation operation)
    {
        var said = apiError is null ? "" : $" The API said: {apiError}.";
        var target = operation.Target(TenantId, ApiBase);
        var status = response.Status;
        switch ((int)status)
        {
            case 401:
                return new DefenderApiException(DefenderErrorIds.AuthenticationFailed, ErrorKind.AuthenticationError,
                    $"The Microsoft 365 Defender API rejected the access token (401 Unauthorized){DescribeTokenFor401()}: it is expired, malformed, or was not issued for this API.{said}",
                    target, TestAccessTokenAdvice, status, apiError);
            case 403:
                var role = operation.Kind == OperationKind.Update ? "Incident.ReadWrite.All" : "Incident.Read.All (or Incident.ReadWrite.All)";
                var has = _claims is null ? "" : $" The token has {_claims.DescribePermissions()}.";
                return new DefenderApiException(DefenderErrorIds.PermissionDenied, ErrorKind.PermissionDenied,
                    $"The access token is not allowed to {operation.Describe()} (403 Forbidden): it needs the application permission {role} of the Microsoft Threat Protection API.{has}{said}",
                    target, $"Add {role.Split(' ')[0]} to the app's API permissions (Microsoft Threat Protection), have the customer's admin consent again (Get-PartnerConsentLink), then get a new token. {TestAccessTokenAdvice}",
                    status, apiError);
            case 404 when operation.IncidentId is { } id:
                return new DefenderApiException(DefenderErrorIds.IncidentNotFound, ErrorKind.ObjectNotFound,
                    $"There is no incident {id} in tenant {TenantId ?? "(unknown)"} that this token can see.{said}", id,
                    "List incidents with Get-DefenderIncident; a merged incident lives on under its RedirectIncidentId.", status, apiError);
            case 400:
                return new DefenderApiException(DefenderErrorIds.InvalidRequest, ErrorKind.InvalidArgument,
                    $"The API rejected the request to {operation.Describe()} (400 Bad Request).{said}", target,
                    "The API filters only on lastUpdateTime, createdTime, status and assignedTo; filter severity with -Severity. Check -Filter's OData syntax, or use the typed parameters.",
                    status, apiError);
            default:
                var hint = (int)status is >= 300 and < 400
                    ? $"The API answered with a redirect{(response.Message.Headers.Location is { } location ? " to " + location.GetLeftPart(UriPartial.Authority) : "")}, which is not followed with a token; check -ApiUri."
                    : (int)status == 404 ? $"Check -ApiUri or -Region: {ApiBase} has no incidents API." : "Try again later.";
                return new DefenderApiException(DefenderErrorIds.RequestFailed, (int)status >= 500 ? ErrorKind.ResourceUnavailable : ErrorKind.ProtocolError,
                    $"The API could not {operation.Describe()}: {(int)status} {response.Message.ReasonPhrase}.{said}", target, hint, status, apiError);
        }
    }

    private DefenderApiException Exhausted(ApiResponse response, DefenderApiError? apiError, Operation operation, int attempts, string? why, DateTimeOffset? retryAt)
    {
        var said = apiError is null ? "" : $" The API said: {apiError}.";
        var when = retryAt is { } at ? $" Try again after {at.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)} UTC." : " Try again later.";
        if ((int)response.Status == 429)
        {
            return new DefenderApiException(DefenderErrorIds.Throttled, ErrorKind.LimitsExceeded,
                $"The API throttled the request to {operation.Describe()} (429 Too Many Requests) {Attempts(attempts)}.{(why is null ? "" : " " + why)}{said}",
                operation.Target(TenantId, ApiBase),
                "The API allows about 50 calls a minute and 1,500 an hour per application and tenant; other scripts using the same app count too." + when,
                response.Status, apiError);
        }

        return new DefenderApiException(DefenderErrorIds.RequestFailed, ErrorKind.ResourceUnavailable,
            $"The API could not {operation.Describe()}: {(int)response.Status} {response.Message.ReasonPhrase} {Attempts(attempts)}.{(why is null ? "" : " " + why)}{said}",
            operation.Target(TenantId, ApiBase), "The service is having trouble." + when, response.Status, apiError);
    }

    private DefenderApiException TransportError(AttemptOutcome outcome, Operation operation, int attempts)
    {
        var detail = Innermost(outcome.Failure!).Message;
        if (outcome.TimedOut)
        {
            return new DefenderApiException(DefenderErrorIds.RequestTimeout, ErrorKind.OperationTimeout,
                $"The API did not answer the request to {operation.Describe()} within {Format(_options.RequestTimeout)} {Attempts(attempts)}.",
                operation.Target(TenantId, ApiBase), "Try again later; check the network path to " + ApiBase.Host + ".", innerException: outcome.Failure);
        }

        return new DefenderApiException(DefenderErrorIds.ConnectionFailed, ErrorKind.ConnectionError,
            $"Could not {operation.Describe()} at {ApiBase.GetLeftPart(UriPartial.Authority)} {Attempts(attempts)}: {detail}",
            operation.Target(TenantId, ApiBase), "Check the network, proxy and -ApiUri/-Region; then try again.", innerException: outcome.Failure);
    }

    private string DescribeTokenFor401()
    {
        if (_claims is null)
        {
            return "; the token is not a JWT this module can read";
        }

        var now = _options.Clock.UtcNow;
        var parts = new System.Collections.Generic.List<string>();
        if (_claims.ExpiresOn is { } exp && exp <= now)
        {
            parts.Add($"it expired at {exp.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)} UTC");
        }

        if (_claims.Audience.Length > 0)
        {
            parts.Add($"its audience is {string.Join(", ", _claims.Audience)}");
        }

        return parts.Count == 0 ? "" : "; " + string.Join(", ", parts);
    }

    private static string Attempts(int attempts) => attempts == 1 ? "on the only attempt" : $"after {attempts} attempts";

    private static Exception Innermost(Exception e) => e.InnerException is { } inner && e is not TimeoutException ? Innermost(inner) : e;

    internal static string Format(TimeSpan span) =>
        span.TotalSeconds < 1 ? $"{span.TotalMilliseconds:0} ms"
        : span.TotalMinutes < 2 ? string.Format(CultureInfo.InvariantCulture, "{0:0.#} s", span.TotalSeconds)
        : span.ToString(@"h\:mm\:ss", CultureInfo.InvariantCulture);

    private enum OperationKind
    {
        List,
        Get,
        Update,
    }

    private readonly struct Operation
    {
        public Operation(OperationKind kind, long? incidentId)
        {
            Kind = kind;
            IncidentId = incidentId;
        }

        public OperationKind Kind { get; }

        public long? IncidentId { get; }

        public string Describe() => Kind switch
        {
            OperationKind.List => "list incidents",
            OperationKind.Get => $"read incident {IncidentId}",
            _ => $"update incident {IncidentId}",
        };

        public object Target(string? tenantId, Uri apiBase) => IncidentId is { } id ? id : tenantId ?? apiBase.Host;
    }

    private sealed class AttemptOutcome
    {
        public AttemptOutcome(ApiResponse? response, Exception? failure, bool timedOut)
        {
            Response = response;
            Failure = failure;
            TimedOut = timedOut;
        }

        public ApiResponse? Response { get; }

        public Exception? Failure { get; }

        public bool TimedOut { get; }
    }
}

/// <summary>One HTTP response, read whole.</summary>
internal sealed class ApiResponse
{
    public ApiResponse(HttpMethod method, Uri uri, HttpStatusCode status, string? contentType, byte[] body, HttpResponseMessage message)
    {
        Method = method;
        Uri = uri;
        Status = status;
        ContentType = contentType;
        Body = body;
        Message = message;
    }

    public HttpMethod Method { get; }

    public Uri Uri { get; }

    public HttpStatusCode Status { get; }

    public string? ContentType { get; }

    public byte[] Body { get; }

    /// <summary>Headers only; its content has been read into <see cref="Body"/>.</summary>
    public HttpResponseMessage Message { get; }
}

/// <summary>A page of the list incidents response.</summary>
internal sealed class IncidentPage
{
    [JsonPropertyName("value")]
    public DefenderIncident[]? Value { get; set; }

    [JsonPropertyName("@odata.nextLink")]
    public string? NextLink { get; set; }
}
