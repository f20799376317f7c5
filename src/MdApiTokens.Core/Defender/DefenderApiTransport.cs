using System;
using System.IO;
using System.Linq;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using MdApiTokens.Core.Shared;

namespace MdApiTokens.Core.Defender;

/// <summary>
/// Sends requests to one Defender API base with one tenant's access token: paced under the tenant's quota, retried
/// as <see cref="DefenderRetryPolicy"/> says (waiting what Retry-After asks), bounded in size and time, and every
/// failure a <see cref="DefenderApiException"/> from <see cref="DefenderErrors"/>. The token is sent only to the API
/// base, over https (or http to a loopback address). Every Defender endpoint is built on <see cref="SendAsync{T}"/>.
/// </summary>
internal sealed class DefenderApiTransport : IDisposable
{
    private readonly HttpClient _http;
    private readonly string _accessToken;
    private readonly string _pacerKey;

    /// <param name="handler">Sends the requests; not disposed with the transport, so one handler serves many.</param>
    public DefenderApiTransport(Uri apiBase, string accessToken, string? tenantId, HttpMessageHandler handler, DefenderClientOptions? options)
    {
        ApiBase = DefenderApiEndpoint.CheckSafeForBearerToken(apiBase);
        _accessToken = NormaliseToken(accessToken);
        Claims = BearerToken.TryDecode(_accessToken);
        TenantId = ResolveTenant(tenantId, Claims);
        Options = options ?? new DefenderClientOptions();
        _http = new HttpClient(handler ?? throw new ArgumentNullException(nameof(handler)), disposeHandler: false) { Timeout = Timeout.InfiniteTimeSpan };
        _pacerKey = DefenderRequestPacer.KeyFor(ApiBase, TenantId);
    }

    public Uri ApiBase { get; }

    public string? TenantId { get; }

    public DecodedClaims? Claims { get; }

    public DefenderClientOptions Options { get; }

    /// <summary>What failures are about when no incident is: the tenant, else the API host.</summary>
    public object Target => TenantId ?? ApiBase.Host;

    public DefenderCallContext CallContext => new(ApiBase, TenantId, Claims, Options.Clock.UtcNow);

    public void Log(string message) => Options.Log?.Invoke($"[{TenantId ?? ApiBase.Host}] {message}");

    /// <summary>
    /// Sends the request and hands a successful response to <paramref name="read"/> within the same attempt, so a body
    /// that breaks off or stalls is retried like any transient failure (for GET). <paramref name="read"/> must read
    /// the body with the token it is given.
    /// </summary>
    public async Task<T> SendAsync<T>(HttpMethod method, Uri uri, byte[]? body, DefenderOperation operation, Func<DefenderApiResponse, CancellationToken, Task<T>> read, CancellationToken cancellationToken)
    {
        if (!DefenderApiEndpoint.IsSameOrigin(ApiBase, uri))
        {
            throw DefenderErrors.ForeignHost(uri, ApiBase, Target);
        }

        var retry = Options.Retry;
        var maxAttempts = Math.Max(1, retry.MaxAttempts);
        for (var attempt = 1; ; attempt++)
        {
            var reservedFrom = Options.Clock.UtcNow;
            var pace = Options.Pacer.Reserve(_pacerKey, reservedFrom);
            if (pace > TimeSpan.Zero)
            {
                Log($"Waiting {DefenderErrors.Format(pace)} to stay within the API's call limits for {ApiBase.Host}.");
                await WaitAsync(DefenderWaitReason.Quota, pace, cancellationToken).ConfigureAwait(false);
                await Options.Pacer.FinishWaitAsync(_pacerKey, reservedFrom + pace, Options.Clock, Options.Delay, cancellationToken).ConfigureAwait(false);
            }

            cancellationToken.ThrowIfCancellationRequested();
            Log($"{method} {uri.PathAndQuery}{(attempt > 1 ? $" (attempt {attempt} of {maxAttempts})" : "")}");
            var outcome = await AttemptAsync(method, uri, body, read, cancellationToken).ConfigureAwait(false);
            if (outcome.Failed is null && outcome.Failure is null)
            {
                return outcome.Result!;
            }

            var canRetry = attempt < maxAttempts;
            if (outcome.Failed is { } failed)
            {
                if (!DefenderRetryPolicy.IsRetryable(failed.Status, method))
                {
                    throw DefenderErrors.Status(failed, operation, CallContext);
                }

                var retryAfter = outcome.RetryAfter;
                if (retryAfter > retry.MaxRetryAfter)
                {
                    throw DefenderErrors.Exhausted(failed, operation, CallContext, attempt, $"The API asks to wait {DefenderErrors.Format(retryAfter.Value)} before the next call, longer than this command waits ({DefenderErrors.Format(retry.MaxRetryAfter)}).", Options.Clock.UtcNow + retryAfter.Value);
                }

                if (!canRetry)
                {
                    throw DefenderErrors.Exhausted(failed, operation, CallContext, attempt, null, retryAfter is { } r ? Options.Clock.UtcNow + r : null);
                }

                var wait = retryAfter ?? retry.Backoff(attempt);
                Log($"{(int)failed.Status} {failed.Status}{(failed.ApiError is null ? "" : " (" + failed.ApiError + ")")}: trying again in {DefenderErrors.Format(wait)}{(retryAfter is null ? "" : " as Retry-After asks")}.");
                await WaitAsync(retryAfter is null ? DefenderWaitReason.Backoff : DefenderWaitReason.RetryAfter, wait, cancellationToken).ConfigureAwait(false);
                continue;
            }

            // No complete response: a network failure or a timeout.
            if (method != HttpMethod.Get || !canRetry)
            {
                throw DefenderErrors.Transport(outcome.Failure!, outcome.TimedOut, operation, CallContext, attempt);
            }

            var backoff = retry.Backoff(attempt);
            Log($"{outcome.Failure!.Message}: trying again in {DefenderErrors.Format(backoff)}.");
            await WaitAsync(DefenderWaitReason.Backoff, backoff, cancellationToken).ConfigureAwait(false);
        }
    }

    private Task WaitAsync(DefenderWaitReason reason, TimeSpan wait, CancellationToken cancellationToken)
    {
        Options.Waiting?.Invoke(new DefenderWait(reason, wait, TenantId, ApiBase.Host));
        return Options.Delay(wait, cancellationToken);
    }

    public void Dispose() => _http.Dispose();

    private async Task<Outcome<T>> AttemptAsync<T>(HttpMethod method, Uri uri, byte[]? body, Func<DefenderApiResponse, CancellationToken, Task<T>> read, CancellationToken cancellationToken)
    {
        using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var phase = "the response headers";
        attempt.CancelAfter(Options.RequestTimeout);
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
            message = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, attempt.Token).ConfigureAwait(false);

            // Disposing the response aborts a body read that ignores the token (older runtimes).
            using var abort = attempt.Token.Register(static state => ((IDisposable)state!).Dispose(), message);
            phase = "more of the response body";
            attempt.CancelAfter(Timeout.InfiniteTimeSpan);
            using var content = await message.Content.ReadAsStreamAsync().ConfigureAwait(false);
            var response = new DefenderApiResponse(method, uri, message, content, Options.MaxResponseBytes,
                reading => attempt.CancelAfter(reading ? Options.BodyStallTimeout : Timeout.InfiniteTimeSpan),
                () => DefenderErrors.TooLarge(method, uri, Options.MaxResponseBytes, Target));
            if ((int)message.StatusCode is >= 200 and < 300)
            {
                var result = await read(response, attempt.Token).ConfigureAwait(false);
                attempt.Token.ThrowIfCancellationRequested();
                return new Outcome<T>(result);
            }

            return await FailedAsync<T>(response, attempt.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (cancellationToken.IsCancellationRequested && IsTransportFailure(e))
        {
            throw new OperationCanceledException("The request was cancelled.", e, cancellationToken);
        }
        catch (Exception e) when (attempt.IsCancellationRequested && IsTransportFailure(e))
        {
            var waited = phase == "the response headers" ? Options.RequestTimeout : Options.BodyStallTimeout;
            return new Outcome<T>(new TimeoutException($"no {phase} within {DefenderErrors.Format(waited)}", e), timedOut: true);
        }
        catch (Exception e) when (e is HttpRequestException or IOException)
        {
            return new Outcome<T>(e, timedOut: false);
        }
        finally
        {
            message?.Dispose();
        }
    }

    private async Task<Outcome<T>> FailedAsync<T>(DefenderApiResponse response, CancellationToken cancellationToken)
    {
        // An error body is small; read at most a little of it for the API's message.
        var buffer = new byte[16 * 1024];
        var length = 0;
        int read;
        while (length < buffer.Length && (read = await response.Body.ReadAsync(buffer, length, buffer.Length - length, cancellationToken).ConfigureAwait(false)) > 0)
        {
            length += read;
        }

        var apiError = DefenderErrors.TryParseApiError(buffer.AsSpan(0, length).ToArray());
        var message = response.Message;
        var failed = new DefenderFailedResponse(message.StatusCode, message.ReasonPhrase, message.Headers.Location, apiError);
        return new Outcome<T>(failed, DefenderRetryPolicy.RetryAfter(message, Options.Clock.UtcNow, apiError));
    }

    private static bool IsTransportFailure(Exception e) =>
        e is OperationCanceledException or ObjectDisposedException or IOException or HttpRequestException;

    private static string NormaliseToken(string accessToken)
    {
        var token = BearerToken.Normalize(accessToken);

        if (token.Length == 0 || token.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
        {
            throw DefenderErrors.AccessTokenNotSendable();
        }

        return token;
    }

    private static string? ResolveTenant(string? tenantId, DecodedClaims? claims)
    {
        var given = string.IsNullOrWhiteSpace(tenantId) ? null : tenantId!.Trim();
        if (given is not null && claims?.TenantId is { } tid && !string.Equals(given, tid, StringComparison.OrdinalIgnoreCase))
        {
            throw DefenderErrors.TenantNotTheTokens(given, tid);
        }

        return given ?? claims?.TenantId;
    }

    private sealed class Outcome<T>
    {
        public Outcome(T result) => Result = result;

        public Outcome(Exception failure, bool timedOut)
        {
            Failure = failure;
            TimedOut = timedOut;
        }

        public Outcome(DefenderFailedResponse failed, TimeSpan? retryAfter)
        {
            Failed = failed;
            RetryAfter = retryAfter;
        }

        public T? Result { get; }

        public Exception? Failure { get; }

        public bool TimedOut { get; }

        public DefenderFailedResponse? Failed { get; }

        public TimeSpan? RetryAfter { get; }
    }
}
