using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using MdApiTokens.Core;
using MdApiTokens.Core.Defender;
using MdApiTokens.Tests.Shared;
using Polly;
using Polly.Retry;

namespace MdApiTokens.Benchmarks.Defender;

/// <summary>
/// The retry loop against Polly's retry strategy, over a stub handler (no network), per call: every call answered 200
/// at once, and every call answered 429 with Retry-After: 0 and then 200. Four sides, alternating, each sending
/// GET and reading the body:
/// <list type="bullet">
/// <item>the anchor: <see cref="HttpClient.SendAsync(HttpRequestMessage, CancellationToken)"/>, a 429 sent once more
/// at once with no rules at all;</item>
/// <item>the module's loop written out around the same send: <see cref="DefenderRetryPolicy.IsRetryable"/>,
/// <see cref="DefenderRetryPolicy.RetryAfter"/>, else <see cref="DefenderRetryPolicy.Backoff"/>, five attempts, the
/// wait through <see cref="DefenderClientOptions.Delay"/> (the shape of the transport's loop, which is internal);</item>
/// <item>Polly.Core 8's <see cref="ResiliencePipeline{T}"/> with a retry strategy of the same rules: 429/503 handled,
/// four retries, exponential back-off with jitter from 1 s up to 60 s, and a <c>DelayGenerator</c> that returns
/// Retry-After (read with the same <see cref="DefenderRetryPolicy.RetryAfter"/>: Polly.Core does not read HTTP);</item>
/// <item>for context, the whole transport: <see cref="DefenderApiRequestClient.SendAsync"/>, pacing off (bearer token,
/// same-origin check, per-attempt timeout, bounded body, JSON into plain values): more work than the loop alone.</item>
/// </list>
/// </summary>
public static class RetryLoopRatio
{
    private const int CallsPerRound = 20_000;
    private const int Rounds = 15;
    private static readonly Uri s_api = new("http://127.0.0.1/");
    private static readonly Uri s_uri = new("http://127.0.0.1/api/incidents?$top=1");

    public static async Task RunAsync()
    {
        Console.WriteLine($"Retry loop against Polly over a stub handler (median time and allocation per call, {Rounds} rounds of {CallsPerRound:N0} calls, sides alternating):");
        Console.WriteLine();
        Console.WriteLine("| Answers | Side | Time per call | Against the module's loop | Above the anchor | Allocated per call |");
        Console.WriteLine("|:--------|:-----|-----:|-----:|-----:|-----:|");
        foreach (var throttledFirst in new[] { false, true })
        {
            var handler = new StubHandler(throttledFirst);
            using var http = new HttpClient(handler, disposeHandler: false) { Timeout = Timeout.InfiniteTimeSpan };
            var options = new DefenderClientOptions { Pacer = DefenderRequestPacer.Off };
            var pipeline = PollyPipeline(options.Retry);
            using var client = new DefenderApiRequestClient(s_api, TestJwt.Create("00000000-0000-0000-0000-0000000000aa"), null, handler, options);
            var sides = new (string Name, Func<Task> Call)[]
            {
                ("Anchor: HttpClient.SendAsync, a 429 sent again with no rules", () => ReadAsync(SendAgainIfThrottledAsync(http, CancellationToken.None))),
                ("Module's loop (DefenderRetryPolicy)", () => ReadAsync(PolicyLoopAsync(http, options, CancellationToken.None))),
                ("Polly.Core 8.9.1 retry (DelayGenerator = Retry-After)", () => ReadAsync(pipeline.ExecuteAsync(static (http, token) => new ValueTask<HttpResponseMessage>(SendAsync(http, token)), http, CancellationToken.None).AsTask())),
                ("Whole transport (DefenderApiRequestClient, pacing off)", () => client.SendAsync(HttpMethod.Get, s_uri, null, CancellationToken.None)),
            };

            var times = sides.ToDictionary(s => s.Name, _ => new List<double>());
            var bytes = sides.ToDictionary(s => s.Name, _ => new List<double>());
            for (var round = -3; round < Rounds; round++)
            {
                foreach (var (name, call) in round % 2 == 0 ? sides : sides.Reverse())
                {
                    var requests = handler.Requests;
                    var allocated = GC.GetTotalAllocatedBytes(precise: false);
                    var watch = Stopwatch.StartNew();
                    for (var i = 0; i < CallsPerRound; i++)
                    {
                        await call();
                    }

                    watch.Stop();
                    var perCall = (handler.Requests - requests) / (double)CallsPerRound;
                    if (perCall != (throttledFirst ? 2 : 1))
                    {
                        throw new InvalidOperationException($"{name} sent {perCall} requests a call.");
                    }

                    if (round >= 0)
                    {
                        times[name].Add(watch.Elapsed.TotalNanoseconds / CallsPerRound);
                        bytes[name].Add((GC.GetTotalAllocatedBytes(precise: false) - allocated) / (double)CallsPerRound);
                    }
                }
            }

            var answers = throttledFirst ? "429 (Retry-After: 0), then 200" : "200";
            var anchor = PacerRatio.Median(times[sides[0].Name]);
            var loop = PacerRatio.Median(times[sides[1].Name]);
            foreach (var (name, _) in sides)
            {
                var time = PacerRatio.Median(times[name]);
                Console.WriteLine($"| {answers} | {name} | {time / 1000:0.00} µs | {time / loop:0.00} | {(time - anchor) / 1000:+0.00;-0.00} µs | {PacerRatio.Median(bytes[name]):0} B |");
            }
        }

        Console.WriteLine();
    }

    private static async Task<HttpResponseMessage> SendAgainIfThrottledAsync(HttpClient http, CancellationToken cancellationToken)
    {
        var response = await SendAsync(http, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.TooManyRequests)
        {
            return response;
        }

        response.Dispose();
        return await SendAsync(http, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The rules of the transport's loop around a plain send: five attempts, 429/503 wait Retry-After (else back-off).</summary>
    private static async Task<HttpResponseMessage> PolicyLoopAsync(HttpClient http, DefenderClientOptions options, CancellationToken cancellationToken)
    {
        var retry = options.Retry;
        for (var attempt = 1; ; attempt++)
        {
            var response = await SendAsync(http, cancellationToken).ConfigureAwait(false);
            if (response.IsSuccessStatusCode || !DefenderRetryPolicy.IsRetryable(response.StatusCode, HttpMethod.Get) || attempt >= retry.MaxAttempts)
            {
                return response;
            }

            var wait = DefenderRetryPolicy.RetryAfter(response, options.Clock.UtcNow, null) ?? retry.Backoff(attempt);
            response.Dispose();
            await options.Delay(wait, cancellationToken).ConfigureAwait(false);
        }
    }

    private static ResiliencePipeline<HttpResponseMessage> PollyPipeline(DefenderRetryPolicy rules) =>
        new ResiliencePipelineBuilder<HttpResponseMessage>()
            .AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                ShouldHandle = new PredicateBuilder<HttpResponseMessage>().HandleResult(r => (int)r.StatusCode is 429 or 503),
                MaxRetryAttempts = rules.MaxAttempts - 1,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = rules.BaseDelay,
                MaxDelay = rules.MaxDelay,
                DelayGenerator = args => new ValueTask<TimeSpan?>(args.Outcome.Result is { } response ? DefenderRetryPolicy.RetryAfter(response, SystemClock.Instance.UtcNow, null) : null),
            })
            .Build();

    private static Task<HttpResponseMessage> SendAsync(HttpClient http, CancellationToken cancellationToken)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, s_uri);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        return http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
    }

    private static async Task ReadAsync(Task<HttpResponseMessage> sending)
    {
        using var response = await sending.ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.OK || (await response.Content.ReadAsByteArrayAsync().ConfigureAwait(false)).Length == 0)
        {
            throw new InvalidOperationException($"The call ended with {(int)response.StatusCode}.");
        }
    }

    /// <summary>Answers 200 with a small JSON body; when <c>throttledFirst</c>, every other request is 429 with Retry-After: 0 first.</summary>
    private sealed class StubHandler(bool throttledFirst) : HttpMessageHandler
    {
        private static readonly byte[] s_body = """{"value":[]}"""u8.ToArray();
        private long _requests;

        public long Requests => Interlocked.Read(ref _requests);

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var number = Interlocked.Increment(ref _requests);
            var response = new HttpResponseMessage(throttledFirst && number % 2 == 1 ? HttpStatusCode.TooManyRequests : HttpStatusCode.OK)
            {
                RequestMessage = request,
                Content = new ByteArrayContent(s_body),
            };
            response.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                response.Headers.RetryAfter = new RetryConditionHeaderValue(TimeSpan.Zero);
            }

            return Task.FromResult(response);
        }
    }
}
