using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.Json;

namespace MdApiTokens.Core.Defender;

/// <summary>
/// Where Invoke-DefenderApiRequest may send a token and what it sends: a path under the API base, or an absolute
/// address on a Defender API host (or on the host the caller named as -ApiUri); a body written as JSON.
/// </summary>
public static class DefenderApiRequest
{
    private const int MaxBodyDepth = 64;

    // The Microsoft 365 Defender API, the Defender for Endpoint API (old and new hosts) and their regional and US
    // government hosts, all under these Microsoft domains.
    private static readonly string[] s_defenderDomains =
    {
        "security.microsoft.com", "securitycenter.microsoft.com", "securitycenter.windows.com", "security.microsoft.us", "securitycenter.microsoft.us",
    };

    /// <summary>True for an https address on a Defender API host: api.* or *.api.* under the Defender domains.</summary>
    public static bool IsDefenderHost(Uri uri)
    {
        if (!uri.IsAbsoluteUri || uri.Scheme != Uri.UriSchemeHttps)
        {
            return false;
        }

        var host = uri.Host.TrimEnd('.').ToLowerInvariant();
        foreach (var domain in s_defenderDomains)
        {
            if (host.EndsWith("." + domain, StringComparison.Ordinal))
            {
                var labels = host.Substring(0, host.Length - domain.Length - 1).Split('.');
                return labels.All(l => l.Length > 0) && (labels[labels.Length - 1] == "api" || labels[labels.Length - 1].StartsWith("api-", StringComparison.Ordinal));
            }
        }

        return false;
    }

    /// <summary>
    /// The API base and the address of a request: <paramref name="path"/> under <paramref name="apiBase"/>, or the absolute
    /// <paramref name="uri"/>, allowed only on a Defender API host or on the origin of <paramref name="apiBase"/> when the
    /// caller named it (<paramref name="apiBaseGiven"/>). Refuses anything else before a token is involved.
    /// </summary>
    public static (Uri ApiBase, Uri Target) Resolve(Uri apiBase, bool apiBaseGiven, string? path, Uri? uri)
    {
        if (uri is null)
        {
            var relative = (path ?? "").Trim();
            if (relative.Length == 0 || relative.Contains("://") || relative.StartsWith("//", StringComparison.Ordinal) || relative.StartsWith("\\", StringComparison.Ordinal)
                || Uri.TryCreate(relative, UriKind.Absolute, out var absolute) && absolute.Scheme is "http" or "https")
            {
                throw DefenderApiRequestErrors.PathNotRelative(relative);
            }

            var target = new Uri(apiBase, relative.TrimStart('/'));
            if (!DefenderApiEndpoint.IsSameOrigin(apiBase, target) || !target.AbsolutePath.StartsWith(apiBase.AbsolutePath, StringComparison.Ordinal))
            {
                throw DefenderApiRequestErrors.PathNotRelative(relative);
            }

            return (apiBase, target);
        }

        if (!uri.IsAbsoluteUri)
        {
            throw DefenderApiRequestErrors.UriNotAbsolute(uri);
        }

        if (uri.UserInfo.Length > 0)
        {
            throw DefenderApiRequestErrors.UriWithUserInfo();
        }

        if (apiBaseGiven && DefenderApiEndpoint.IsSameOrigin(apiBase, uri))
        {
            return (apiBase, uri);
        }

        var origin = DefenderApiEndpoint.CheckSafeForBearerToken(new Uri(uri.GetLeftPart(UriPartial.Authority)));
        if (!IsDefenderHost(origin))
        {
            throw DefenderApiRequestErrors.HostRefused(uri);
        }

        return (origin, uri);
    }

    /// <summary>A JSON string, checked to be JSON, as UTF-8.</summary>
    public static byte[] JsonBody(string json)
    {
        try
        {
            using var _ = JsonDocument.Parse(json);
        }
        catch (JsonException e)
        {
            throw DefenderApiRequestErrors.BodyNotJson("the string is not JSON: " + e.Message);
        }

        return System.Text.Encoding.UTF8.GetBytes(json);
    }

    /// <summary>
    /// Plain values (dictionaries, lists, strings, numbers, booleans, times, GUIDs, enums, null) written as JSON; times
    /// in ISO 8601, enums by name.
    /// </summary>
    public static byte[] JsonBody(object? value)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            Write(writer, value, 0);
        }

        return stream.ToArray();
    }

    private static void Write(Utf8JsonWriter writer, object? value, int depth)
    {
        if (depth > MaxBodyDepth)
        {
            throw DefenderApiRequestErrors.BodyNotJson($"it is nested more than {MaxBodyDepth} levels deep (does it refer to itself?).");
        }

        switch (value)
        {
            case null:
                writer.WriteNullValue();
                break;
            case string s:
                writer.WriteStringValue(s);
                break;
            case bool b:
                writer.WriteBooleanValue(b);
                break;
            case char c:
                writer.WriteStringValue(c.ToString());
                break;
            case Enum e:
                writer.WriteStringValue(e.ToString());
                break;
            case int or long or short or sbyte or byte or ushort or uint:
                writer.WriteNumberValue(Convert.ToInt64(value, CultureInfo.InvariantCulture));
                break;
            case ulong u:
                writer.WriteNumberValue(u);
                break;
            case decimal m:
                writer.WriteNumberValue(m);
                break;
            case double or float:
                var d = Convert.ToDouble(value, CultureInfo.InvariantCulture);
                if (double.IsNaN(d) || double.IsInfinity(d))
                {
                    throw DefenderApiRequestErrors.BodyNotJson("it holds a number JSON cannot carry (NaN or infinity).");
                }

                writer.WriteNumberValue(d);
                break;
            case DateTime t:
                writer.WriteStringValue(t.ToString("O", CultureInfo.InvariantCulture));
                break;
            case DateTimeOffset o:
                writer.WriteStringValue(o.ToString("O", CultureInfo.InvariantCulture));
                break;
            case Guid g:
                writer.WriteStringValue(g.ToString("D"));
                break;
            case Uri u:
                writer.WriteStringValue(u.OriginalString);
                break;
            case IDictionary map:
                writer.WriteStartObject();
                foreach (DictionaryEntry entry in map)
                {
                    writer.WritePropertyName(Convert.ToString(entry.Key, CultureInfo.InvariantCulture) ?? "");
                    Write(writer, entry.Value, depth + 1);
                }

                writer.WriteEndObject();
                break;
            case IEnumerable<KeyValuePair<string, object?>> pairs:
                writer.WriteStartObject();
                foreach (var pair in pairs)
                {
                    writer.WritePropertyName(pair.Key);
                    Write(writer, pair.Value, depth + 1);
                }

                writer.WriteEndObject();
                break;
            case IEnumerable items:
                writer.WriteStartArray();
                foreach (var item in items)
                {
                    Write(writer, item, depth + 1);
                }

                writer.WriteEndArray();
                break;
            default:
                throw DefenderApiRequestErrors.BodyNotJson($"a {value.GetType().Name} cannot be written as JSON.");
        }
    }
}
