using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Text.Json;

namespace MdApiTokens.Core.Defender;

/// <summary>
/// The few claims of a JWT access token the incidents client uses to label output and explain 401/403 answers:
/// tenant, expiry, audience and roles. Decoded only, never validated (Test-AccessToken validates).
/// </summary>
internal sealed class AccessTokenClaims
{
    private AccessTokenClaims(string? tenantId, DateTimeOffset? expiresOn, string? audience, IReadOnlyList<string> roles, IReadOnlyList<string> scopes)
    {
        TenantId = tenantId;
        ExpiresOn = expiresOn;
        Audience = audience;
        Roles = roles;
        Scopes = scopes;
    }

    public string? TenantId { get; }

    public DateTimeOffset? ExpiresOn { get; }

    public string? Audience { get; }

    /// <summary>Application permissions (app-only tokens).</summary>
    public IReadOnlyList<string> Roles { get; }

    /// <summary>Delegated permissions (user tokens), from the space-separated scp claim.</summary>
    public IReadOnlyList<string> Scopes { get; }

    /// <summary>The claims of a JWT's payload, or null when the token is not a JWT this can read.</summary>
    public static AccessTokenClaims? TryRead(string token)
    {
        var parts = token.Split('.');
        if (parts.Length != 3)
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(Base64UrlDecode(parts[1]));
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return null;
            }

            return new AccessTokenClaims(
                String(root, "tid"),
                root.TryGetProperty("exp", out var exp) && exp.ValueKind == JsonValueKind.Number && exp.TryGetInt64(out var seconds)
                    ? DateTimeOffset.FromUnixTimeSeconds(seconds)
                    : null,
                root.TryGetProperty("aud", out var aud) ? (aud.ValueKind == JsonValueKind.Array ? string.Join(", ", aud.EnumerateArray().Select(a => a.ToString())) : aud.ToString()) : null,
                root.TryGetProperty("roles", out var roles) && roles.ValueKind == JsonValueKind.Array
                    ? roles.EnumerateArray().Where(r => r.ValueKind == JsonValueKind.String).Select(r => r.GetString()!).ToArray()
                    : Array.Empty<string>(),
                String(root, "scp")?.Split(new[] { ' ' }, StringSplitOptions.RemoveEmptyEntries) ?? Array.Empty<string>());
        }
        catch (Exception e) when (e is FormatException or JsonException or ArgumentException or ArgumentOutOfRangeException)
        {
            return null;
        }
    }

    /// <summary>What the token may do, for messages: its roles, else its scopes.</summary>
    public string DescribePermissions() =>
        Roles.Count > 0 ? "roles " + string.Join(", ", Roles)
        : Scopes.Count > 0 ? "scopes " + string.Join(", ", Scopes)
        : "no roles or scopes";

    private static string? String(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static byte[] Base64UrlDecode(string text)
    {
        var s = text.Replace('-', '+').Replace('_', '/');
        s += (s.Length % 4) switch
        {
            2 => "==",
            3 => "=",
            0 => "",
            _ => throw new FormatException("Not base64url."),
        };
        return Convert.FromBase64String(s);
    }
}
