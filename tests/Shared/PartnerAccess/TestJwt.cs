using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace MdApiTokens.Tests.Shared;

/// <summary>Mints JWTs with known claims and keys, and the JSON Web Key Sets that verify them.</summary>
public static class TestJwt
{
    public const string DefenderAudience = "https://api.security.microsoft.com";

    /// <summary>A signed RS256 JWT; <paramref name="header"/> may add or replace header fields (kid, alg ...).</summary>
    public static string Create(RSA key, IDictionary<string, object?> payload, string kid = "test-key", IDictionary<string, object?>? header = null)
    {
        var head = new Dictionary<string, object?> { ["typ"] = "JWT", ["alg"] = "RS256", ["kid"] = kid };
        foreach (var (name, value) in header ?? new Dictionary<string, object?>())
        {
            head[name] = value;
        }

        var signingInput = Encode(JsonSerializer.SerializeToUtf8Bytes(head)) + "." + Encode(JsonSerializer.SerializeToUtf8Bytes(payload));
        var signature = key.SignData(Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return signingInput + "." + Encode(signature);
    }

    /// <summary>
    /// An unsigned (alg none) JWT with just the claims the incidents cmdlets read: tid, exp, aud and roles
    /// (Incident.Read.All unless given). For code that decodes tokens without validating them.
    /// </summary>
    public static string Create(string tenantId, DateTimeOffset? expires = null, string audience = DefenderAudience, params string[] roles)
    {
        var payload = new Dictionary<string, object?>
        {
            ["aud"] = audience,
            ["tid"] = tenantId,
            ["exp"] = (expires ?? new DateTimeOffset(2099, 1, 1, 0, 0, 0, TimeSpan.Zero)).ToUnixTimeSeconds(),
            ["roles"] = roles.Length == 0 ? new[] { "Incident.Read.All" } : roles,
        };
        return Encode("{\"typ\":\"JWT\",\"alg\":\"none\"}") + "." + Encode(JsonSerializer.SerializeToUtf8Bytes(payload)) + "." + Encode("signature");
    }

    /// <summary>The claims of an app-only v1 token for the Defender API, as the identity platform issues them.</summary>
    public static Dictionary<string, object?> AppOnlyClaims(string tenantId, string appId, DateTimeOffset issuedAt, TimeSpan lifetime, params string[] roles) => new()
    {
        ["aud"] = DefenderAudience,
        ["iss"] = $"https://sts.windows.net/{tenantId}/",
        ["iat"] = issuedAt.ToUnixTimeSeconds(),
        ["nbf"] = issuedAt.ToUnixTimeSeconds(),
        ["exp"] = (issuedAt + lifetime).ToUnixTimeSeconds(),
        ["appid"] = appId,
        ["appidacr"] = "1",
        ["idp"] = $"https://sts.windows.net/{tenantId}/",
        ["oid"] = Guid.NewGuid().ToString(),
        ["roles"] = roles,
        ["sub"] = Guid.NewGuid().ToString(),
        ["tid"] = tenantId,
        ["ver"] = "1.0",
    };

    /// <summary>A JWKS with the public half of each key, as the identity platform publishes its signing keys.</summary>
    public static string Jwks(params (RSA Key, string Kid)[] keys)
    {
        var list = keys.Select(k =>
        {
            var p = k.Key.ExportParameters(false);
            return new Dictionary<string, object?>
            {
                ["kty"] = "RSA",
                ["use"] = "sig",
                ["kid"] = k.Kid,
                ["n"] = Encode(p.Modulus!),
                ["e"] = Encode(p.Exponent!),
            };
        }).ToArray();
        return JsonSerializer.Serialize(new Dictionary<string, object?> { ["keys"] = list });
    }

    public static string Encode(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public static string Encode(string text) => Encode(Encoding.UTF8.GetBytes(text));

    public static byte[] Decode(string part)
    {
        var s = part.Replace('-', '+').Replace('_', '/');
        return Convert.FromBase64String(s.PadRight(s.Length + ((4 - (s.Length % 4)) % 4), '='));
    }
}
