using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.IdentityModel.Tokens.Jwt;
using System.Linq;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.IdentityModel.Tokens;

namespace MdApiTokens.Core.AccessTokens;

/// <summary>
/// Decodes an access token (a JWT) and checks what the partner-access documentation asks a person to check on jwt.ms:
/// the roles, the tenant, the audience, the lifetime, and, when keys are given, the signature. It never throws for a
/// bad token: anything that is not a well-formed JWT fails the <see cref="AccessTokenCheck.Format"/> check.
/// </summary>
/// <remarks>
/// v1 and v2 tokens differ: v1 names the API in <c>aud</c> by its URI (https://api.security.microsoft.com) and the
/// client in <c>appid</c>; v2 usually names the API by its application id and the client in <c>azp</c>. The audience
/// check accepts either form for the Microsoft 365 Defender API, and <see cref="AccessTokenValidationResult.AppId"/>
/// is appid or azp.
/// </remarks>
public sealed class AccessTokenValidator
{
    /// <summary>Longer input is not inspected (real access tokens are a few kilobytes).</summary>
    public const int MaxTokenLength = 64 * 1024;

    /// <summary>The application id of the Microsoft 365 Defender API ("Microsoft Threat Protection"), which v2 tokens carry in aud.</summary>
    public const string DefenderApiApplicationId = "8ee8fdad-f234-4243-8f3b-15c294843740";

    private static readonly string[] s_defenderApiUris =
    {
        "https://api.security.microsoft.com",
        "https://api-gcc.security.microsoft.us",
        "https://api-gov.security.microsoft.us",
    };

    private static readonly Regex s_base64Url = new("^[A-Za-z0-9_-]*$", RegexOptions.CultureInvariant);

    private readonly IClock _clock;

    public AccessTokenValidator(IClock clock) => _clock = clock ?? throw new ArgumentNullException(nameof(clock));

    /// <summary>Checks <paramref name="token"/> (a leading "Bearer " is ignored) against <paramref name="options"/>.</summary>
    public AccessTokenValidationResult Validate(string? token, AccessTokenValidationOptions? options = null)
    {
        options ??= new AccessTokenValidationOptions();
        var checks = new List<AccessTokenCheckResult>();

        var problem = FormatProblem(token, out var compact);
        JwtSecurityToken? jwt = null;
        if (problem is null)
        {
            try
            {
                jwt = new JwtSecurityTokenHandler { MapInboundClaims = false }.ReadJwtToken(compact);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                problem = "it cannot be read as a JWT (" + e.GetType().Name + ")";
            }
        }

        if (jwt is null)
        {
            checks.Add(new AccessTokenCheckResult(AccessTokenCheck.Format, AccessTokenCheckOutcome.Failed, "The token is not a well-formed JWT: " + problem + "."));
            foreach (var check in new[] { AccessTokenCheck.Expiry, AccessTokenCheck.NotBefore, AccessTokenCheck.Roles, AccessTokenCheck.Tenant, AccessTokenCheck.Audience, AccessTokenCheck.Signature })
            {
                checks.Add(new AccessTokenCheckResult(check, AccessTokenCheckOutcome.Skipped, "Not checked: the token is malformed."));
            }

            return new AccessTokenValidationResult(checks, null);
        }

        var claims = Decode(jwt);
        checks.Add(new AccessTokenCheckResult(AccessTokenCheck.Format, AccessTokenCheckOutcome.Passed, $"A JWT signed with {claims.Algorithm ?? "no algorithm"}{(claims.Version is null ? "" : ", version " + claims.Version)}."));
        var now = _clock.UtcNow;
        checks.Add(CheckExpiry(jwt, claims, now, options.ClockSkew));
        checks.Add(CheckNotBefore(jwt, claims, now, options.ClockSkew));
        checks.Add(CheckRoles(claims, options.RequiredRoles));
        checks.Add(CheckTenant(claims, options.TenantId));
        checks.Add(CheckAudience(claims, options.Audience));
        checks.Add(CheckSignature(compact!, claims, options.SigningKeys));
        return new AccessTokenValidationResult(checks, claims);
    }

    /// <summary>
    /// The claims of <paramref name="token"/> decoded without any check, or null when it is not a well-formed JWT. For
    /// labelling output and explaining an API's 401/403 answers; never a reason to trust a token.
    /// </summary>
    internal static DecodedClaims? TryDecode(string? token)
    {
        if (FormatProblem(token, out var compact) is not null)
        {
            return null;
        }

        try
        {
            return Decode(new JwtSecurityTokenHandler { MapInboundClaims = false }.ReadJwtToken(compact));
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return null;
        }
    }

    /// <summary>The audiences a token may name for <paramref name="audience"/>: itself and, for the Defender API, its other form.</summary>
    public static IReadOnlyCollection<string> AcceptedAudiences(string audience)
    {
        var normalized = NormalizeAudience(audience);
        var accepted = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { normalized };
        if (s_defenderApiUris.Contains(normalized, StringComparer.OrdinalIgnoreCase))
        {
            accepted.Add(DefenderApiApplicationId);
        }
        else if (string.Equals(normalized, DefenderApiApplicationId, StringComparison.OrdinalIgnoreCase))
        {
            accepted.UnionWith(s_defenderApiUris);
        }

        return accepted;
    }

    private static string? FormatProblem(string? token, out string? compact)
    {
        compact = null;
        var value = (token ?? "").Trim();
        if (value.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            value = value.Substring("Bearer ".Length).Trim();
        }

        if (value.Length == 0)
        {
            return "it is empty";
        }

        if (value.Length > MaxTokenLength)
        {
            return $"it is {value.Length} characters long; a token longer than {MaxTokenLength} is not inspected";
        }

        var parts = value.Split('.');
        if (parts.Length == 5)
        {
            return "it is an encrypted token (JWE, five parts), which only its audience can read";
        }

        if (parts.Length != 3)
        {
            return $"it has {parts.Length} part{(parts.Length == 1 ? "" : "s")} separated by '.'; a signed JWT has three (header.payload.signature)";
        }

        var names = new[] { "header", "payload", "signature" };
        for (var i = 0; i < 3; i++)
        {
            if (!s_base64Url.IsMatch(parts[i]) || parts[i].Length % 4 == 1)
            {
                return $"its {names[i]} is not base64url";
            }
        }

        for (var i = 0; i < 2; i++)
        {
            if (parts[i].Length == 0)
            {
                return $"its {names[i]} is empty";
            }

            try
            {
                using var document = JsonDocument.Parse(Base64UrlEncoder.DecodeBytes(parts[i]));
                if (document.RootElement.ValueKind != JsonValueKind.Object)
                {
                    return $"its {names[i]} is JSON but not an object";
                }
            }
            catch (Exception e) when (e is JsonException or FormatException or ArgumentException)
            {
                return $"its {names[i]} is not JSON";
            }
        }

        compact = value;
        return null;
    }

    private static DecodedClaims Decode(JwtSecurityToken jwt)
    {
        string? Claim(string type) => jwt.Claims.FirstOrDefault(c => c.Type == type)?.Value;
        string[] Claims(string type) => jwt.Claims.Where(c => c.Type == type).Select(c => c.Value).ToArray();

        return new DecodedClaims
        {
            TenantId = Claim("tid"),
            AppId = Claim("appid") ?? Claim("azp"),
            Roles = Claims("roles"),
            Scopes = (Claim("scp") ?? "").Split(new[] { ' ' }, StringSplitOptions.RemoveEmptyEntries),
            Audience = jwt.Audiences.ToArray(),
            Issuer = Claim("iss"),
            ObjectId = Claim("oid"),
            Version = Claim("ver"),
            IssuedAt = UnixTime(jwt.Payload, "iat"),
            NotBefore = UnixTime(jwt.Payload, "nbf"),
            ExpiresOn = UnixTime(jwt.Payload, "exp"),
            Algorithm = jwt.Header.Alg,
            KeyId = jwt.Header.Kid,
            All = jwt.Payload.ToDictionary(p => p.Key, p => Plain(p.Value), StringComparer.Ordinal),
        };
    }

    private static AccessTokenCheckResult CheckExpiry(JwtSecurityToken jwt, DecodedClaims claims, DateTimeOffset now, TimeSpan skew)
    {
        if (claims.ExpiresOn is not { } exp)
        {
            return Failed(AccessTokenCheck.Expiry, jwt.Payload.ContainsKey("exp") ? "The exp claim is not a time (seconds since 1970)." : "The token has no exp claim: a bearer token must expire.");
        }

        return now >= exp + skew
            ? Failed(AccessTokenCheck.Expiry, $"The token expired at {exp:u} ({Ago(now - exp)} ago; clock skew allowed: {skew.TotalMinutes:0.#} min).")
            : Passed(AccessTokenCheck.Expiry, $"Expires at {exp:u}.");
    }

    private static AccessTokenCheckResult CheckNotBefore(JwtSecurityToken jwt, DecodedClaims claims, DateTimeOffset now, TimeSpan skew)
    {
        if (claims.NotBefore is not { } nbf)
        {
            return jwt.Payload.ContainsKey("nbf")
                ? Failed(AccessTokenCheck.NotBefore, "The nbf claim is not a time (seconds since 1970).")
                : Passed(AccessTokenCheck.NotBefore, "The token has no nbf claim.");
        }

        return now < nbf - skew
            ? Failed(AccessTokenCheck.NotBefore, $"The token is not valid before {nbf:u} ({Ago(nbf - now)} from now; clock skew allowed: {skew.TotalMinutes:0.#} min). Check this machine's clock.")
            : Passed(AccessTokenCheck.NotBefore, $"Valid from {nbf:u}.");
    }

    private static AccessTokenCheckResult CheckRoles(DecodedClaims claims, IReadOnlyList<string>? required)
    {
        var wanted = (required ?? Array.Empty<string>()).Where(r => !string.IsNullOrWhiteSpace(r)).Select(r => r.Trim()).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        if (wanted.Count == 0)
        {
            return Skipped(AccessTokenCheck.Roles, "No role required.");
        }

        var missing = wanted.Where(r => !claims.Roles.Contains(r, StringComparer.OrdinalIgnoreCase)).ToList();
        if (missing.Count == 0)
        {
            return Passed(AccessTokenCheck.Roles, "The token has " + string.Join(", ", wanted) + ".");
        }

        var has = claims.Roles.Length > 0
            ? "it has " + string.Join(", ", claims.Roles)
            : claims.Scopes.Length > 0 ? "it has no roles claim: it is a delegated (user) token with scopes " + string.Join(" ", claims.Scopes) : "it has no roles claim";
        return Failed(AccessTokenCheck.Roles, $"Missing role{(missing.Count == 1 ? "" : "s")} {string.Join(", ", missing)}; {has}. Grant the application permission and consent again in the tenant.");
    }

    private static AccessTokenCheckResult CheckTenant(DecodedClaims claims, string? tenantId)
    {
        if (string.IsNullOrWhiteSpace(tenantId))
        {
            return Skipped(AccessTokenCheck.Tenant, "No tenant required.");
        }

        var expected = tenantId!.Trim();
        if (claims.TenantId is null)
        {
            return Failed(AccessTokenCheck.Tenant, "The token has no tid claim.");
        }

        return string.Equals(claims.TenantId, expected, StringComparison.OrdinalIgnoreCase)
            ? Passed(AccessTokenCheck.Tenant, $"Issued in tenant {claims.TenantId}.")
            : Failed(AccessTokenCheck.Tenant, $"Issued in tenant {claims.TenantId}, not {expected}.");
    }

    private static AccessTokenCheckResult CheckAudience(DecodedClaims claims, string? audience)
    {
        if (string.IsNullOrWhiteSpace(audience))
        {
            return Skipped(AccessTokenCheck.Audience, "No audience required.");
        }

        var accepted = AcceptedAudiences(audience!);
        var match = claims.Audience.FirstOrDefault(a => accepted.Contains(NormalizeAudience(a)));
        if (match is not null)
        {
            return Passed(AccessTokenCheck.Audience, $"For {match}.");
        }

        return Failed(AccessTokenCheck.Audience, claims.Audience.Length == 0
            ? $"The token has no aud claim; expected {NormalizeAudience(audience!)}."
            : $"The token is for {string.Join(", ", claims.Audience)}, not {NormalizeAudience(audience!)}.");
    }

    private static AccessTokenCheckResult CheckSignature(string compact, DecodedClaims claims, AccessTokenSigningKeys? keys)
    {
        if (keys is null)
        {
            return Skipped(AccessTokenCheck.Signature, "No signing keys given: the signature was not verified.");
        }

        var parameters = new TokenValidationParameters
        {
            IssuerSigningKeys = keys.Keys,
            TryAllIssuerSigningKeys = true,
            RequireSignedTokens = true,
            ValidateIssuerSigningKey = false,
            ValidateIssuer = false,
            ValidateAudience = false,
            ValidateLifetime = false,
            RequireExpirationTime = false,
            RequireAudience = false,
        };
        try
        {
            new JwtSecurityTokenHandler { MapInboundClaims = false }.ValidateToken(compact, parameters, out _);
            return Passed(AccessTokenCheck.Signature, $"Signed by key {claims.KeyId ?? "(no kid)"} from {keys.Source}.");
        }
        catch (SecurityTokenSignatureKeyNotFoundException)
        {
            return Failed(AccessTokenCheck.Signature, $"No key in {keys.Source} verifies the signature (the token's kid is {claims.KeyId ?? "absent"}; the keys are {string.Join(", ", keys.KeyIds.DefaultIfEmpty("without kid"))}).");
        }
        catch (SecurityTokenInvalidSignatureException)
        {
            return Failed(AccessTokenCheck.Signature, string.IsNullOrEmpty(compact.Split('.')[2])
                ? "The token is not signed."
                : $"The signature does not verify with the keys in {keys.Source}: the token was altered or signed by another key.");
        }
        catch (Exception e) when (e is SecurityTokenException or ArgumentException or NotSupportedException or System.Security.Cryptography.CryptographicException)
        {
            return Failed(AccessTokenCheck.Signature, $"The signature could not be verified ({e.GetType().Name}; algorithm {claims.Algorithm ?? "none"}).");
        }
    }

    private static string NormalizeAudience(string audience)
    {
        var value = audience.Trim();
        if (value.EndsWith("/.default", StringComparison.OrdinalIgnoreCase))
        {
            value = value.Substring(0, value.Length - "/.default".Length);
        }

        return value.TrimEnd('/');
    }

    private static DateTimeOffset? UnixTime(JwtPayload payload, string name)
    {
        if (!payload.TryGetValue(name, out var raw) || raw is null)
        {
            return null;
        }

        double seconds;
        switch (raw)
        {
            case string text when double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed):
                seconds = parsed;
                break;
            case IConvertible convertible when raw is not string and not bool:
                try
                {
                    seconds = convertible.ToDouble(CultureInfo.InvariantCulture);
                }
                catch (Exception e) when (e is FormatException or InvalidCastException or OverflowException)
                {
                    return null;
                }

                break;
            default:
                return null;
        }

        // DateTimeOffset covers years 1 to 9999.
        if (double.IsNaN(seconds) || seconds < -62135596800d || seconds > 253402300799d)
        {
            return null;
        }

        return DateTimeOffset.FromUnixTimeSeconds((long)Math.Floor(seconds));
    }

    private static object? Plain(object? value) => value switch
    {
        null => null,
        string or bool => value,
        JsonElement element => JsonValues.ToPlain(element),
        IDictionary dictionary => dictionary.Keys.Cast<object>().ToDictionary(k => Convert.ToString(k, CultureInfo.InvariantCulture) ?? "", k => Plain(dictionary[k])),
        IEnumerable items => items.Cast<object?>().Select(Plain).ToArray(),
        _ => value,
    };

    private static string Ago(TimeSpan span) =>
        span.TotalDays >= 2 ? $"{span.TotalDays:0} days" : span.TotalHours >= 2 ? $"{span.TotalHours:0} hours" : span.TotalMinutes >= 2 ? $"{span.TotalMinutes:0} minutes" : $"{Math.Max(0, span.TotalSeconds):0} seconds";

    private static AccessTokenCheckResult Passed(AccessTokenCheck check, string detail) => new(check, AccessTokenCheckOutcome.Passed, detail);

    private static AccessTokenCheckResult Failed(AccessTokenCheck check, string detail) => new(check, AccessTokenCheckOutcome.Failed, detail);

    private static AccessTokenCheckResult Skipped(AccessTokenCheck check, string detail) => new(check, AccessTokenCheckOutcome.Skipped, detail);
}
