using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace MdApiTokens.Tests.Shared;

/// <summary>The fake's OpenID configuration and signing keys, as the identity platform publishes them per tenant.</summary>
public sealed partial class IdentityPlatformFake
{
    /// <summary>Every metadata or key request, by path.</summary>
    public ConcurrentQueue<string> MetadataRequests { get; } = new();

    /// <summary>When set and not returning null for a path, replaces the fake's metadata or keys answer.</summary>
    public Func<string, FakeReply?>? InterceptMetadata { get; set; }

    /// <summary>The key set served; by default the key the fake signs with.</summary>
    public string? ServedJwks { get; set; }

    /// <summary>v1 tokens' issuer host, as the public cloud names it.</summary>
    public const string V1IssuerHost = "https://sts.windows.net/";

    private void MapMetadata(WebApplication app)
    {
        app.MapGet("/{tenant}/v2.0/.well-known/openid-configuration", (HttpContext c, string tenant) =>
            AnswerAsync(c, () => Json(new { issuer = $"{AuthorityHost}{tenant}/v2.0", jwks_uri = $"{AuthorityHost}{tenant}/discovery/v2.0/keys", token_endpoint = TokenEndpoint(tenant).AbsoluteUri })));
        app.MapGet("/{tenant}/.well-known/openid-configuration", (HttpContext c, string tenant) =>
            AnswerAsync(c, () => Json(new { issuer = $"{V1IssuerHost}{tenant}/", jwks_uri = $"{AuthorityHost}common/discovery/keys", token_endpoint = $"{AuthorityHost}{tenant}/oauth2/token" })));
        app.MapGet("/{tenant}/discovery/v2.0/keys", (HttpContext c, string tenant) => AnswerAsync(c, () => ServedJwks ?? Jwks));
        app.MapGet("/common/discovery/keys", (HttpContext c) => AnswerAsync(c, () => ServedJwks ?? Jwks));
    }

    private async Task AnswerAsync(HttpContext context, Func<string> body)
    {
        var path = context.Request.Path.Value ?? "";
        MetadataRequests.Enqueue(path);
        if (InterceptMetadata?.Invoke(path) is { } forced)
        {
            await WriteForcedAsync(context, forced).ConfigureAwait(false);
            return;
        }

        context.Response.ContentType = "application/json; charset=utf-8";
        await context.Response.WriteAsync(body(), context.RequestAborted).ConfigureAwait(false);
    }

    private static async Task WriteEndlessAsync(HttpContext context, FakeReply reply)
    {
        context.Response.StatusCode = reply.Status;
        context.Response.ContentType = "application/json; charset=utf-8";
        try
        {
            await context.Response.WriteAsync("{\"keys\":[", context.RequestAborted).ConfigureAwait(false);
            await context.Response.Body.FlushAsync(context.RequestAborted).ConfigureAwait(false);
            if (reply.StallBody)
            {
                await Task.Delay(Timeout.Infinite, context.RequestAborted).ConfigureAwait(false);
            }

            var chunk = Encoding.ASCII.GetBytes(new string(' ', 64 * 1024));
            for (long sent = 0; sent < reply.HugeBody; sent += chunk.Length)
            {
                await context.Response.Body.WriteAsync(chunk, context.RequestAborted).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException)
        {
            // The client gave up, as it should.
        }
    }

    private static string Json(object value) => JsonSerializer.Serialize(value);
}
