using System;

namespace MdApiTokens.Core.Shared;

/// <summary>Base addresses that relative paths are appended to.</summary>
public static class BaseAddress
{
    /// <summary><paramref name="uri"/> without query or fragment, ending in '/', so <c>new Uri(base, "path")</c> keeps its last segment.</summary>
    public static Uri WithTrailingSlash(Uri uri)
    {
        var text = (uri ?? throw new ArgumentNullException(nameof(uri))).GetLeftPart(UriPartial.Path);
        return new Uri(text.EndsWith("/", StringComparison.Ordinal) ? text : text + "/");
    }

    /// <summary>
    /// <paramref name="uri"/> as an error may show it: user information (<c>user:password@</c>) may be a secret, so it is
    /// never echoed.
    /// </summary>
    public static string ForDisplay(Uri uri)
    {
        if (uri is null)
        {
            throw new ArgumentNullException(nameof(uri));
        }

        if (!uri.IsAbsoluteUri)
        {
            return uri.OriginalString.IndexOf('@') < 0 ? uri.OriginalString : "(an address with user information)";
        }

        return uri.UserInfo.Length == 0 ? uri.OriginalString : new UriBuilder(uri) { UserName = "", Password = "" }.Uri.ToString();
    }

    /// <summary>Why <paramref name="host"/> is not a plain https base address (absolute, no user information, query or fragment), or null when it is.</summary>
    public static string? HttpsProblem(Uri host)
    {
        if (host is null)
        {
            throw new ArgumentNullException(nameof(host));
        }

        if (!host.IsAbsoluteUri)
        {
            return "it is not an absolute URI";
        }

        if (!string.Equals(host.Scheme, Uri.UriSchemeHttps, StringComparison.OrdinalIgnoreCase))
        {
            return $"its scheme is {host.Scheme}; only https is used";
        }

        return host.UserInfo.Length > 0 || host.Query.Length > 0 || host.Fragment.Length > 0 ? "it has user information, a query or a fragment" : null;
    }
}
