using System;
using System.Linq;

namespace MdApiTokens.Core.ApiTokens;

/// <summary>The checks on what a user types (token names, account names, the tenant URL) before the store is touched.</summary>
internal static class ApiTokenInputs
{
    private static readonly char[] s_wildcardCharacters = { '*', '?', '[', ']' };

    internal static void CheckName(string name)
    {
        string? problem = null;
        if (string.IsNullOrWhiteSpace(name))
        {
            problem = "A token name cannot be empty.";
        }
        else if (name.Length > ApiTokenService.MaxNameLength)
        {
            problem = $"A token name can have at most {ApiTokenService.MaxNameLength} characters.";
        }
        else if (name.Any(char.IsControl))
        {
            problem = "A token name cannot contain control characters.";
        }
        else if (name.IndexOfAny(s_wildcardCharacters) >= 0)
        {
            problem = "A token name cannot contain the wildcard characters * ? [ ].";
        }
        else if (name.Trim().Length != name.Length)
        {
            problem = "A token name cannot start or end with spaces.";
        }

        if (problem is not null)
        {
            throw ApiTokenErrors.BadName(name, problem);
        }
    }

    internal static void CheckUser(string user)
    {
        if (string.IsNullOrWhiteSpace(user) || user.Length > 256 || user.Any(char.IsControl) || user.Trim().Length != user.Length)
        {
            throw ApiTokenErrors.BadUser(user);
        }
    }

    internal static string? CheckTenantUrl(Uri? url)
    {
        if (url is null)
        {
            return null;
        }

        if (!url.IsAbsoluteUri || url.Scheme != Uri.UriSchemeHttps || !string.IsNullOrEmpty(url.UserInfo))
        {
            throw ApiTokenErrors.BadTenantUrl(url);
        }

        return url.AbsoluteUri;
    }
}
