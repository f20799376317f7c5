using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace MdApiTokens.Tests.Shared;

/// <summary>One request to the managed identity endpoint as the fake received it.</summary>
public sealed record ManagedIdentityRequestRecord(string? Resource, string? ApiVersion, string? ClientId, string? Header, string? IssuedToken);

/// <summary>
/// The managed identity endpoint of App Service, Functions and Azure Automation on 127.0.0.1, as MSAL finds it: plain
/// http (as the real one, a local agent), IDENTITY_ENDPOINT and the secret IDENTITY_HEADER, which MSAL sends back as
/// X-IDENTITY-HEADER. It issues JWTs signed with <see cref="SigningKey"/> whose issuer is <see cref="Issuer"/> and whose
/// subject is the identity's object id, as Entra issues managed identity tokens; a user-assigned identity it does not
/// know gets the endpoint's 400.
/// </summary>
public sealed class ManagedIdentityEndpointFake : IAsyncDisposable, IDisposable
{
    private readonly WebApplication _app;

    public ManagedIdentityEndpointFake()
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        _app = builder.Build();
        _app.MapGet("/msi/token", (Func<HttpContext, Task>)HandleAsync);
        _app.StartAsync().GetAwaiter().GetResult();
        var address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        Endpoint = new Uri($"http://127.0.0.1:{new Uri(address).Port}/msi/token");
    }

    /// <summary>What IDENTITY_ENDPOINT is set to.</summary>
    public Uri Endpoint { get; }

    /// <summary>What IDENTITY_HEADER is set to: a secret of the resource.</summary>
    public string Header { get; } = "mi-header-" + Guid.NewGuid().ToString("N");

    /// <summary>The identity's home tenant.</summary>
    public string TenantId { get; } = Guid.NewGuid().ToString();

    public string Issuer => $"https://login.microsoftonline.com/{TenantId}/v2.0";

    /// <summary>The system-assigned identity: its object id is the subject of its tokens.</summary>
    public (string ClientId, string ObjectId) SystemAssigned { get; } = (Guid.NewGuid().ToString(), Guid.NewGuid().ToString());

    /// <summary>User-assigned identities by client id, with their object ids.</summary>
    public ConcurrentDictionary<string, string> UserAssigned { get; } = new(StringComparer.OrdinalIgnoreCase);

    public RSA SigningKey { get; } = RSA.Create(2048);

    public ConcurrentQueue<ManagedIdentityRequestRecord> Requests { get; } = new();

    /// <summary>Points MSAL at this fake (process-wide: only from tests in <c>ManagedIdentityEnvironmentCollection</c>); disposing restores the old values.</summary>
    public IDisposable UseInEnvironment() => new TemporaryEnvironment(("IDENTITY_ENDPOINT", Endpoint.AbsoluteUri), ("IDENTITY_HEADER", Header));

    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
        SigningKey.Dispose();
    }

    private async Task HandleAsync(HttpContext context)
    {
        var query = context.Request.Query;
        var header = context.Request.Headers["X-IDENTITY-HEADER"].ToString();
        var clientId = query["client_id"].ToString();
        var resource = query["resource"].ToString();
        string? issued = null;
        try
        {
            context.Response.ContentType = "application/json; charset=utf-8";
            if (header != Header)
            {
                context.Response.StatusCode = 401;
                await context.Response.WriteAsync("{\"statusCode\":401,\"message\":\"Unauthorized: the X-IDENTITY-HEADER is missing or wrong.\"}").ConfigureAwait(false);
                return;
            }

            var (client, objectId) = clientId.Length == 0 ? SystemAssigned
                : UserAssigned.TryGetValue(clientId, out var oid) ? (clientId, oid) : (clientId, (string?)null);
            if (objectId is null || resource.Length == 0)
            {
                context.Response.StatusCode = 400;
                await context.Response.WriteAsync(JsonSerializer.Serialize(new Dictionary<string, object>
                {
                    ["statusCode"] = 400,
                    ["message"] = objectId is null ? "No User Assigned or Delegated Managed Identity found for specified ClientId/ResourceId/PrincipalId." : "The resource is missing.",
                    ["correlationId"] = Guid.NewGuid().ToString(),
                })).ConfigureAwait(false);
                return;
            }

            var now = DateTimeOffset.UtcNow;
            issued = TestJwt.Create(SigningKey, new Dictionary<string, object?>
            {
                ["aud"] = resource,
                ["iss"] = Issuer,
                ["sub"] = objectId,
                ["oid"] = objectId,
                ["tid"] = TenantId,
                ["appid"] = client,
                ["idtyp"] = "app",
                ["iat"] = now.ToUnixTimeSeconds(),
                ["nbf"] = now.ToUnixTimeSeconds(),
                ["exp"] = now.AddHours(1).ToUnixTimeSeconds(),
            }, "mi-key");
            await context.Response.WriteAsync(JsonSerializer.Serialize(new Dictionary<string, object>
            {
                ["access_token"] = issued,
                ["expires_on"] = now.AddHours(1).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture),
                ["resource"] = resource,
                ["token_type"] = "Bearer",
                ["client_id"] = client,
            })).ConfigureAwait(false);
        }
        finally
        {
            Requests.Enqueue(new ManagedIdentityRequestRecord(resource, query["api-version"].ToString(), clientId.Length == 0 ? null : clientId, header, issued));
        }
    }
}

/// <summary>Sets environment variables (process-wide) and restores their old values when disposed.</summary>
public sealed class TemporaryEnvironment : IDisposable
{
    private readonly (string Name, string? Old)[] _saved;

    public TemporaryEnvironment(params (string Name, string? Value)[] values)
    {
        _saved = values.Select(v => (v.Name, Environment.GetEnvironmentVariable(v.Name))).ToArray();
        foreach (var (name, value) in values)
        {
            Environment.SetEnvironmentVariable(name, value);
        }
    }

    public void Dispose()
    {
        foreach (var (name, old) in _saved)
        {
            Environment.SetEnvironmentVariable(name, old);
        }
    }
}
