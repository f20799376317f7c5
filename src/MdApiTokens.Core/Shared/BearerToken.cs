using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using System.Text.Json;

namespace MdApiTokens.Core.Shared;

/// <summary>
/// A bearer token as people paste it ("Bearer eyJ...", with spaces or line breaks around it) made into the compact JWT,
/// and its claims decoded without any check: for labelling output and explaining an API's answers, never a reason to
/// trust a token. Hostile input (any length, any JSON) never throws.
/// </summary>
public static class BearerToken
{
    /// <summary>Longer input is not inspected (real access tokens are a few kilobytes).</summary>
    public const int MaxLength = 64 * 1024;

    private const string Scheme = "Bearer ";

    private static readonly UTF8Encoding s_strictUtf8 = new(false, throwOnInvalidBytes: true);

    /// <summary><paramref name="value"/> without surrounding white space and without a leading "Bearer " (any case).</summary>
    public static string Normalize(string? value)
    {
        var token = (value ?? "").Trim();
        if (token.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase))
        {
            token = token.Substring(Scheme.Length).Trim();
        }

        return token;
    }

    /// <summary>The claims of <paramref name="token"/>, or null when it is not a well-formed JWT.</summary>
    internal static DecodedClaims? TryDecode(string? token) => Decode(token, out _, out _);

    /// <summary>
    /// Decodes <paramref name="token"/>: the claims and the compact JWT (normalised), or null and, in
    /// <paramref name="problem"/>, why it is not a well-formed signed JWT (for a person: "it is empty" ...).
    /// </summary>
    internal static DecodedClaims? Decode(string? token, out string? compact, out string? problem)
    {
        compact = null;
        var value = Normalize(token);
        problem = ShapeProblem(value, out var parts);
        if (problem is not null)
        {
            return null;
        }

        var names = new[] { "header", "payload" };
        var documents = new JsonDocument?[2];
        try
        {
            for (var i = 0; i < 2; i++)
            {
                try
                {
                    // Decoded strictly first: JsonDocument checks the UTF-8 inside strings only when they are read.
                    documents[i] = JsonDocument.Parse(s_strictUtf8.GetString(DecodeSegment(parts[i])));
                }
                catch (Exception e) when (e is JsonException or FormatException or ArgumentException)
                {
                    problem = $"its {names[i]} is not JSON";
                    return null;
                }

                if (documents[i]!.RootElement.ValueKind != JsonValueKind.Object)
                {
                    problem = $"its {names[i]} is JSON but not an object";
                    return null;
                }
            }

            compact = value;
            return Read(documents[0]!.RootElement, documents[1]!.RootElement, parts[2].Length > 0);
        }
        finally
        {
            foreach (var document in documents)
            {
                document?.Dispose();
            }
        }
    }

    /// <summary>The bytes of a base64url segment.</summary>
    internal static byte[] DecodeSegment(string segment)
    {
        var text = segment.Replace('-', '+').Replace('_', '/');
        return Convert.FromBase64String(text.PadRight(text.Length + ((4 - (text.Length % 4)) % 4), '='));
    }

    private static string? ShapeProblem(string value, out string[] parts)
    {
        parts = Array.Empty<string>();
        if (value.Length == 0)
        {
            return "it is empty";
        }

        if (value.Length > MaxLength)
        {
            return $"it is {value.Length} characters long; a token longer than {MaxLength} is not inspected";
        }

        parts = value.Split('.');
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
            if (parts[i].Any(c => !(c is >= 'A' and <= 'Z' or >= 'a' and <= 'z' or >= '0' and <= '9' or '-' or '_')) || parts[i].Length % 4 == 1)
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
        }

        return null;
    }

    private static DecodedClaims Read(JsonElement header, JsonElement payload, bool signed)
    {
        // A claim given twice is ambiguous: which one a reader takes is up to the reader.
        var malformed = new HashSet<string>(payload.EnumerateObject().GroupBy(p => p.Name, StringComparer.Ordinal).Where(g => g.Count() > 1).Select(g => g.Key), StringComparer.Ordinal);

        string? Text(JsonElement source, string name)
        {
            if (!source.TryGetProperty(name, out var value))
            {
                return null;
            }

            if (value.ValueKind == JsonValueKind.String)
            {
                return value.GetString();
            }

            malformed.Add(name);
            return null;
        }

        string[] Strings(string name)
        {
            if (!payload.TryGetProperty(name, out var value))
            {
                return Array.Empty<string>();
            }

            if (value.ValueKind == JsonValueKind.String)
            {
                return new[] { value.GetString()! };
            }

            if (value.ValueKind != JsonValueKind.Array || value.EnumerateArray().Any(v => v.ValueKind != JsonValueKind.String))
            {
                malformed.Add(name);
            }

            return value.ValueKind == JsonValueKind.Array
                ? value.EnumerateArray().Where(v => v.ValueKind == JsonValueKind.String).Select(v => v.GetString()!).ToArray()
                : Array.Empty<string>();
        }

        DateTimeOffset? Time(string name)
        {
            if (!payload.TryGetProperty(name, out var value))
            {
                return null;
            }

            var time = UnixTime(value);
            if (time is null)
            {
                malformed.Add(name);
            }

            return time;
        }

        var claims = new DecodedClaims
        {
            TenantId = Text(payload, "tid"),
            AppId = Text(payload, "appid") ?? Text(payload, "azp"),
            Roles = Strings("roles"),
            Scopes = (Text(payload, "scp") ?? "").Split(new[] { ' ' }, StringSplitOptions.RemoveEmptyEntries),
            Audience = Strings("aud"),
            Issuer = Text(payload, "iss"),
            ObjectId = Text(payload, "oid"),
            Version = Text(payload, "ver"),
            IssuedAt = Time("iat"),
            NotBefore = Time("nbf"),
            ExpiresOn = Time("exp"),
            Algorithm = Text(header, "alg"),
            KeyId = Text(header, "kid"),
            IsSigned = signed,
            All = payload.EnumerateObject().GroupBy(p => p.Name, StringComparer.Ordinal)
                .ToDictionary(g => g.Key, g => JsonValues.ToPlain(g.Last().Value), StringComparer.Ordinal),
        };
        claims.Malformed = malformed;
        return claims;
    }

    private static DateTimeOffset? UnixTime(JsonElement value)
    {
        double seconds;
        if (value.ValueKind == JsonValueKind.Number)
        {
            if (!value.TryGetDouble(out seconds))
            {
                return null;
            }
        }
        else if (value.ValueKind != JsonValueKind.String || !double.TryParse(value.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out seconds))
        {
            return null;
        }

        // DateTimeOffset covers years 1 to 9999.
        if (double.IsNaN(seconds) || seconds < -62135596800d || seconds > 253402300799d)
        {
            return null;
        }

        return DateTimeOffset.FromUnixTimeSeconds((long)Math.Floor(seconds));
    }
}
