using System.Net;
using System.Text;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using MdApiTokens.Core.Defender;

namespace MdApiTokens.Benchmarks.Defender;

/// <summary>
/// Reading a hunting result of 7 typed columns (DateTime, String, Int, Long, Double, Boolean, Dynamic as JSON text)
/// through the whole client (in-memory handler: transport, parse, typing, rows) against the anchor of parsing the same
/// bytes with JsonDocument and touching every value.
/// </summary>
[SimpleJob(launchCount: 1, warmupCount: 2, iterationCount: 8)]
[MemoryDiagnoser]
public class HuntingResultBenchmarks
{
    private byte[] _body = Array.Empty<byte>();
    private DefenderHuntingClient _client = null!;

    [Params(1_000, 100_000)]
    public int Rows { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var text = new StringBuilder("{\"Stats\":{\"ExecutionTime\":0.5},\"Schema\":[{\"Name\":\"Timestamp\",\"Type\":\"DateTime\"},{\"Name\":\"DeviceName\",\"Type\":\"String\"},{\"Name\":\"Count\",\"Type\":\"Int\"},{\"Name\":\"Bytes\",\"Type\":\"Long\"},{\"Name\":\"Score\",\"Type\":\"Double\"},{\"Name\":\"Ok\",\"Type\":\"Boolean\"},{\"Name\":\"AdditionalFields\",\"Type\":\"Dynamic\"}],\"Results\":[");
        for (var i = 0; i < Rows; i++)
        {
            text.Append(i == 0 ? "" : ",").Append("{\"Timestamp\":\"2026-01-10T12:00:00.1234567Z\",\"DeviceName\":\"pc").Append(i)
                .Append(".contoso.com\",\"Count\":").Append(i).Append(",\"Bytes\":5000000000,\"Score\":0.5,\"Ok\":true,\"AdditionalFields\":\"{\\\"Command\\\":\\\"whoami\\\",\\\"Ports\\\":[80,443]}\"}");
        }

        _body = Encoding.UTF8.GetBytes(text.Append("]}").ToString());
        var options = DefenderHuntingClient.ConfigureOptions(new DefenderClientOptions(), new DefenderRequestPacer(new DefenderRateLimit(int.MaxValue, TimeSpan.FromMinutes(1))), null);
        _client = new DefenderHuntingClient(new Uri("https://api.security.microsoft.com/"), MicrosoftGraphEndpoint.Default, "opaque-benchmark-token", "tenant", new Answer(_body), options);
    }

    [GlobalCleanup]
    public void Cleanup() => _client.Dispose();

    [Benchmark(Baseline = true)]
    public int ParseOnly()
    {
        using var document = JsonDocument.Parse(_body);
        var count = 0;
        foreach (var row in document.RootElement.GetProperty("Results").EnumerateArray())
        {
            foreach (var field in row.EnumerateObject())
            {
                count += field.Value.ValueKind == JsonValueKind.String ? field.Value.GetString()!.Length : 1;
            }
        }

        return count;
    }

    [Benchmark]
    public int TypedRows() => _client.RunAsync("T", null, row => row, CancellationToken.None).GetAwaiter().GetResult().RowCount;

    private sealed class Answer : HttpMessageHandler
    {
        private readonly byte[] _body;

        public Answer(byte[] body) => _body = body;

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = new ByteArrayContent(_body) { Headers = { ContentType = new("application/json") } } });
    }
}
