using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace MdApiTokens.Tests.Shared;

/// <summary>An application registered with the fake: its credentials, the tenants that consented to it and the roles its tokens carry.</summary>
public sealed class FakeApplication
{
    public FakeApplication(string clientId) => ClientId = clientId;

    public string ClientId { get; }

    public string? Secret { get; set; }

    public bool SecretExpired { get; set; }

    public List<X509Certificate2> Certificates { get; } = new();

    /// <summary>Tenants where the application was consented to; null: every tenant.</summary>
    public HashSet<string>? ConsentedTenants { get; set; }

    public string[] Roles { get; set; } = { "Incident.Read.All" };

    /// <summary>Federated credentials: an assertion from this issuer, for this subject and audience, proves the application.</summary>
    public List<FakeFederatedCredential> FederatedCredentials { get; } = new();
}

/// <summary>A federated identity credential of an application (issuer, subject, audience as the portal shows them).</summary>
public sealed record FakeFederatedCredential(string Issuer, string Subject, string Audience = "api://AzureADTokenExchange");

/// <summary>One request to the token endpoint as the fake received it, and what it made of the client's proof.</summary>
public sealed class TokenRequestRecord
{
    public required string Tenant { get; init; }

    public required IReadOnlyDictionary<string, string> Form { get; init; }

    public string? Field(string name) => Form.TryGetValue(name, out var value) ? value : null;

    /// <summary>"secret", "assertion" or null.</summary>
    public string? CredentialKind { get; set; }

    /// <summary>For a client assertion: true when its signature verified with a registered certificate's public key.</summary>
    public bool AssertionVerified { get; set; }

    public string? AssertionAlgorithm { get; set; }

    /// <summary>The token the fake issued, if it issued one.</summary>
    public string? IssuedToken { get; set; }
}

/// <summary>A reply a test forces instead of the fake's own judgement.</summary>
public sealed class FakeReply
{
    private FakeReply()
    {
    }

    public int Status { get; private init; }

    public string? Body { get; private init; }

    public TimeSpan Delay { get; private init; }

    public bool AbortConnection { get; private init; }

    public bool TruncateBody { get; private init; }

    /// <summary>Sends the headers and the start of a body, then nothing until the client gives up.</summary>
    public bool StallBody { get; private init; }

    /// <summary>Sends a body of this many bytes (without a Content-Length), as a hostile or broken server might.</summary>
    public long HugeBody { get; private init; }

    public TimeSpan? RetryAfter { get; private init; }

    /// <summary>An error in the identity platform's shape: {"error", "error_description": "AADSTS...: ...", "error_codes": [...]}.</summary>
    public static FakeReply Aadsts(int status, string error, int code, string description, TimeSpan? retryAfter = null) =>
        new() { Status = status, Body = IdentityPlatformFake.ErrorBody(error, code, description), RetryAfter = retryAfter };

    public static FakeReply Raw(int status, string body) => new() { Status = status, Body = body };

    /// <summary>Answers normally, but only after <paramref name="delay"/> (or never, if the client gives up first).</summary>
    public static FakeReply Slow(TimeSpan delay) => new() { Delay = delay };

    /// <summary>Resets the connection without an answer.</summary>
    public static FakeReply Abort() => new() { AbortConnection = true };

    /// <summary>Promises a long body and closes the connection after a few bytes.</summary>
    public static FakeReply Truncated() => new() { Status = 200, TruncateBody = true };

    /// <summary>200, headers and a few bytes, then a stall.</summary>
    public static FakeReply Stalled() => new() { Status = 200, StallBody = true };

    /// <summary>200 with a body of <paramref name="bytes"/> bytes.</summary>
    public static FakeReply Huge(long bytes) => new() { Status = 200, HugeBody = bytes };
}

/// <summary>
/// The identity platform's token endpoint on 127.0.0.1, over HTTPS with <see cref="LoopbackTls.Certificate"/>: real
/// sockets, reached through -AuthorityHost. It checks what MSAL sends (grant_type=client_credentials, client_id, a
/// /.default scope, and a client_secret or a client_assertion whose signature it verifies with the registered
/// certificate's public key), answers like the real platform (tokens, or AADSTS errors for an unknown application,
/// tenant, secret or certificate), and can be told to answer slowly or brokenly. Anything that is not a token request
/// is recorded in <see cref="OtherRequests"/>.
/// </summary>
public sealed partial class IdentityPlatformFake : IAsyncDisposable, IDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, FakeApplication> _applications = new(StringComparer.OrdinalIgnoreCase);

    public IdentityPlatformFake()
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, listen => listen.UseHttps(LoopbackTls.Certificate)));
        _app = builder.Build();
        _app.MapPost("/{tenant}/oauth2/v2.0/token", (Func<HttpContext, string, Task>)HandleTokenRequestAsync);
        MapMetadata(_app);
        _app.MapFallback(context =>
        {
            OtherRequests.Enqueue($"{context.Request.Method} {context.Request.Path}{context.Request.QueryString}");
            context.Response.StatusCode = 404;
            return Task.CompletedTask;
        });
        _app.StartAsync().GetAwaiter().GetResult();
        var address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        var port = new Uri(address).Port;
        AuthorityHost = new Uri($"https://127.0.0.1:{port}/");
    }

    /// <summary>What -AuthorityHost is given: https://127.0.0.1:{port}/.</summary>
    public Uri AuthorityHost { get; }

    public ConcurrentQueue<TokenRequestRecord> TokenRequests { get; } = new();

    public ConcurrentQueue<string> OtherRequests { get; } = new();

    public int TokenRequestCount => TokenRequests.Count;

    /// <summary>The key the fake signs its tokens with.</summary>
    public RSA SigningKey { get; } = RSA.Create(2048);

    public string SigningKeyId { get; } = "fake-signing-key";

    /// <summary>The clock used for the iat/nbf/exp of issued tokens.</summary>
    public Func<DateTimeOffset> Now { get; set; } = () => DateTimeOffset.UtcNow;

    /// <summary>The expires_in of issued tokens.</summary>
    public TimeSpan TokenLifetime { get; set; } = TimeSpan.FromSeconds(3599);

    /// <summary>Tenants the platform does not know (AADSTS90002).</summary>
    public ConcurrentDictionary<string, bool> UnknownTenants { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>When set and not returning null, replaces the fake's own answer.</summary>
    public Func<TokenRequestRecord, FakeReply?>? Intercept { get; set; }

    /// <summary>Makes error descriptions quote the request's client_secret, as a careless server might.</summary>
    public bool EchoSecretInErrors { get; set; }

    public string Jwks => TestJwt.Jwks((SigningKey, SigningKeyId));

    /// <summary>Issuers whose signatures federated assertions are checked with.</summary>
    public ConcurrentDictionary<string, RSA> TrustedIssuers { get; } = new(StringComparer.Ordinal);

    public FakeApplication Register(string clientId, string? secret = null, params X509Certificate2[] certificates)
    {
        var application = new FakeApplication(clientId) { Secret = secret };
        application.Certificates.AddRange(certificates);
        _applications[clientId] = application;
        return application;
    }

    public Uri TokenEndpoint(string tenant) => new(AuthorityHost, $"{tenant}/oauth2/v2.0/token");

    internal static string ErrorBody(string error, int code, string description)
    {
        var trace = Guid.NewGuid().ToString();
        var correlation = Guid.NewGuid().ToString();
        var now = DateTimeOffset.UtcNow.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        return JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["error"] = error,
            ["error_description"] = $"AADSTS{code}: {description}\r\nTrace ID: {trace}\r\nCorrelation ID: {correlation}\r\nTimestamp: {now}",
            ["error_codes"] = new[] { code },
            ["timestamp"] = now,
            ["trace_id"] = trace,
            ["correlation_id"] = correlation,
            ["error_uri"] = $"https://login.microsoftonline.com/error?code={code}",
        });
    }

    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    public async ValueTask DisposeAsync()
    {
        using (var stop = new CancellationTokenSource(TimeSpan.FromSeconds(5)))
        {
            await _app.StopAsync(stop.Token).ConfigureAwait(false);
        }

        await _app.DisposeAsync().ConfigureAwait(false);
        SigningKey.Dispose();
    }

    private async Task HandleTokenRequestAsync(HttpContext context, string tenant)
    {
        var form = await context.Request.ReadFormAsync(context.RequestAborted).ConfigureAwait(false);
        var record = new TokenRequestRecord { Tenant = tenant, Form = form.ToDictionary(f => f.Key, f => f.Value.ToString(), StringComparer.Ordinal) };
        TokenRequests.Enqueue(record);

        var forced = Intercept?.Invoke(record);
        if (forced is not null)
        {
            if (forced.Delay > TimeSpan.Zero)
            {
                try
                {
                    await Task.Delay(forced.Delay, context.RequestAborted).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
            else
            {
                await WriteForcedAsync(context, forced).ConfigureAwait(false);
                return;
            }
        }

        var (status, body) = Judge(record, context.Request);
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json; charset=utf-8";
        await context.Response.WriteAsync(body, context.RequestAborted).ConfigureAwait(false);
    }

    internal static async Task WriteForcedAsync(HttpContext context, FakeReply reply)
    {
        if (reply.AbortConnection)
        {
            context.Abort();
            return;
        }

        context.Response.StatusCode = reply.Status;
        context.Response.ContentType = "application/json; charset=utf-8";
        if (reply.RetryAfter is { } retryAfter)
        {
            context.Response.Headers.RetryAfter = ((int)retryAfter.TotalSeconds).ToString(CultureInfo.InvariantCulture);
        }

        if (reply.StallBody || reply.HugeBody > 0)
        {
            await WriteEndlessAsync(context, reply).ConfigureAwait(false);
            return;
        }

        if (reply.TruncateBody)
        {
            context.Response.ContentLength = 4096;
            await context.Response.WriteAsync("{\"token_type\":\"Bearer\",\"acc", context.RequestAborted).ConfigureAwait(false);
            await context.Response.Body.FlushAsync(context.RequestAborted).ConfigureAwait(false);
            context.Abort();
            return;
        }

        await context.Response.WriteAsync(reply.Body ?? "", context.RequestAborted).ConfigureAwait(false);
    }

    private (int Status, string Body) Judge(TokenRequestRecord record, HttpRequest request)
    {
        var tenant = record.Tenant;
        var clientId = record.Field("client_id");
        if (record.Field("grant_type") != "client_credentials")
        {
            return (400, ErrorBody("unsupported_grant_type", 70003, "The app requested an unsupported grant type."));
        }

        if (UnknownTenants.ContainsKey(tenant))
        {
            return (400, ErrorBody("invalid_request", 90002, $"Tenant '{tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud."));
        }

        if (clientId is null || !_applications.TryGetValue(clientId, out var application)
            || (application.ConsentedTenants is not null && !application.ConsentedTenants.Contains(tenant)))
        {
            return (400, ErrorBody("unauthorized_client", 700016, $"Application with identifier '{clientId}' was not found in the directory '{tenant}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant."));
        }

        var scope = record.Field("scope") ?? "";
        var scopes = scope.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (scopes.Length == 0 || scopes.Any(s => !s.EndsWith("/.default", StringComparison.Ordinal)))
        {
            return (400, ErrorBody("invalid_scope", 1002012, $"The provided value for scope {scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier."));
        }

        var secret = record.Field("client_secret");
        var assertion = record.Field("client_assertion");
        if (secret is not null)
        {
            record.CredentialKind = "secret";
            var echo = EchoSecretInErrors ? $" The secret received was '{secret}' ({Uri.EscapeDataString(secret)})." : "";
            if (application.Secret is null || !CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(application.Secret)))
            {
                return (401, ErrorBody("invalid_client", 7000215, $"Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '{clientId}'.{echo}"));
            }

            if (application.SecretExpired)
            {
                return (401, ErrorBody("invalid_client", 7000222, $"The provided client secret keys for app '{clientId}' are expired.{echo}"));
            }
        }
        else if (assertion is not null && application.FederatedCredentials.Count > 0)
        {
            record.CredentialKind = "federated";
            if (CheckFederatedAssertion(record, application, assertion) is { } refused)
            {
                return (401, ErrorBody("invalid_client", refused.Code, refused.Problem));
            }
        }
        else if (assertion is not null)
        {
            record.CredentialKind = "assertion";
            var problem = CheckAssertion(record, application, assertion, TokenEndpoint(tenant));
            if (problem is not null)
            {
                return (401, ErrorBody("invalid_client", 700027, problem));
            }
        }
        else
        {
            return (401, ErrorBody("invalid_client", 7000218, "The request body must contain the following parameter: 'client_assertion' or 'client_secret'."));
        }

        var audience = scopes[0][..^"/.default".Length];
        var claims = TestJwt.AppOnlyClaims(tenant, application.ClientId, Now(), TokenLifetime, application.Roles);
        claims["aud"] = audience;
        var token = TestJwt.Create(SigningKey, claims, SigningKeyId);
        record.IssuedToken = token;
        var lifetime = (int)TokenLifetime.TotalSeconds;
        return (200, JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["token_type"] = "Bearer",
            ["expires_in"] = lifetime,
            ["ext_expires_in"] = lifetime,
            ["access_token"] = token,
        }));
    }

    /// <summary>As Entra checks a federated credential: signature by the issuer's key, then issuer, subject, audience and time.</summary>
    private (int Code, string Problem)? CheckFederatedAssertion(TokenRequestRecord record, FakeApplication application, string assertion)
    {
        var parts = assertion.Split('.');
        if (record.Field("client_assertion_type") != "urn:ietf:params:oauth:client-assertion-type:jwt-bearer" || parts.Length != 3)
        {
            return (50027, "JWT token is invalid or malformed.");
        }

        using var payload = JsonDocument.Parse(TestJwt.Decode(parts[1]));
        var claims = payload.RootElement;
        string? Claim(string name) => claims.TryGetProperty(name, out var value) ? value.ToString() : null;
        var issuer = Claim("iss") ?? "";
        var candidates = application.FederatedCredentials.Where(c => c.Issuer == issuer).ToList();
        if (candidates.Count == 0)
        {
            return (700211, $"No matching federated identity record found for presented assertion issuer '{issuer}'.");
        }

        if (!TrustedIssuers.TryGetValue(issuer, out var key)
            || !key.VerifyData(System.Text.Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]), TestJwt.Decode(parts[2]), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1))
        {
            return (700027, "Client assertion failed signature validation.");
        }

        candidates = candidates.Where(c => c.Subject == Claim("sub")).ToList();
        if (candidates.Count == 0)
        {
            return (700213, $"No matching federated identity record found for presented assertion subject '{Claim("sub")}'.");
        }

        if (!candidates.Any(c => c.Audience == Claim("aud")))
        {
            return (700212, $"No matching federated identity record found for presented assertion audience '{Claim("aud")}'.");
        }

        if (!long.TryParse(Claim("exp"), out var exp) || DateTimeOffset.FromUnixTimeSeconds(exp) < DateTimeOffset.UtcNow)
        {
            return (700024, "Client assertion is not within its valid time range.");
        }

        record.AssertionVerified = true;
        return null;
    }

    private static string? CheckAssertion(TokenRequestRecord record, FakeApplication application, string assertion, Uri tokenEndpoint)
    {
        if (record.Field("client_assertion_type") != "urn:ietf:params:oauth:client-assertion-type:jwt-bearer")
        {
            return "The client_assertion_type is missing or not jwt-bearer.";
        }

        var parts = assertion.Split('.');
        if (parts.Length != 3)
        {
            return "Client assertion is not a signed JWT.";
        }

        using var header = JsonDocument.Parse(TestJwt.Decode(parts[0]));
        using var payload = JsonDocument.Parse(TestJwt.Decode(parts[1]));
        var alg = header.RootElement.GetProperty("alg").GetString();
        record.AssertionAlgorithm = alg;
        X509Certificate2? certificate = null;
        if (header.RootElement.TryGetProperty("x5t#S256", out var sha256))
        {
            certificate = application.Certificates.FirstOrDefault(c => TestJwt.Encode(SHA256.HashData(c.RawData)) == sha256.GetString());
        }
        else if (header.RootElement.TryGetProperty("x5t", out var sha1))
        {
            certificate = application.Certificates.FirstOrDefault(c => TestJwt.Encode(c.GetCertHash()) == sha1.GetString());
        }

        if (certificate is null)
        {
            return "Client assertion contains an invalid signature. [Reason - The key was not found.]";
        }

        using var publicKey = certificate.GetRSAPublicKey()!;
        var padding = alg switch
        {
            "PS256" => RSASignaturePadding.Pss,
            "RS256" => RSASignaturePadding.Pkcs1,
            _ => null,
        };
        if (padding is null || !publicKey.VerifyData(Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]), TestJwt.Decode(parts[2]), HashAlgorithmName.SHA256, padding))
        {
            return "Client assertion contains an invalid signature. [Reason - The signature does not match the key.]";
        }

        var claims = payload.RootElement;
        string? Claim(string name) => claims.TryGetProperty(name, out var value) ? value.ToString() : null;
        if (Claim("aud") != tokenEndpoint.AbsoluteUri || Claim("iss") != application.ClientId || Claim("sub") != application.ClientId)
        {
            return $"Client assertion has the wrong audience or issuer (aud {Claim("aud")}, iss {Claim("iss")}).";
        }

        if (!long.TryParse(Claim("exp"), out var exp) || DateTimeOffset.FromUnixTimeSeconds(exp) < DateTimeOffset.UtcNow)
        {
            return "Client assertion is not within its valid time range.";
        }

        record.AssertionVerified = true;
        return null;
    }
}
