using System;
using System.Collections.Generic;
using System.Linq;

namespace MdApiTokens.Core.ApiTokens;

/// <summary>How a command names the tokens it wants.</summary>
public enum ApiTokenKey
{
    Name,
    Id,
}

/// <summary>The tokens one name pattern or id chose, or the error saying it chose none.</summary>
public sealed class ApiTokenMatch
{
    internal ApiTokenMatch(string key, IReadOnlyList<ApiTokenInfo> tokens, MdApiTokensException? notFound)
    {
        Key = key;
        Tokens = tokens;
        NotFound = notFound;
    }

    /// <summary>The name pattern or id as given.</summary>
    public string Key { get; }

    /// <summary>The visible tokens it matched, oldest first.</summary>
    public IReadOnlyList<ApiTokenInfo> Tokens { get; }

    /// <summary>
    /// Set when an id, or a name without wildcards, matched nothing (like Get-Process: a pattern that matches nothing
    /// is not an error). Scoped to the item, so the other names are still done.
    /// </summary>
    public MdApiTokensException? NotFound { get; }
}

/// <summary>The tokens chosen by a list of names or ids, and the ones that were not found.</summary>
public sealed class ApiTokenSelection
{
    private static readonly char[] s_wildcards = { '*', '?', '[', ']' };

    internal ApiTokenSelection(IReadOnlyList<ApiTokenMatch> matches) => Matches = matches;

    /// <summary>One entry per name or id, in the order given.</summary>
    public IReadOnlyList<ApiTokenMatch> Matches { get; }

    /// <summary>Every chosen token once, oldest first.</summary>
    public IReadOnlyList<ApiTokenInfo> Tokens =>
        Matches.SelectMany(m => m.Tokens).GroupBy(t => t.Id, StringComparer.OrdinalIgnoreCase).Select(g => g.First()).OrderBy(t => t.CreatedOn).ToList();

    /// <summary>The errors for the names and ids that matched nothing.</summary>
    public IReadOnlyList<MdApiTokensException> NotFound => Matches.Where(m => m.NotFound is not null).Select(m => m.NotFound!).ToList();

    /// <summary>True when <paramref name="pattern"/> has an unescaped PowerShell wildcard character (token names cannot contain them).</summary>
    public static bool HasWildcards(string pattern)
    {
        for (var i = pattern.IndexOfAny(s_wildcards); i >= 0; i = i + 1 < pattern.Length ? pattern.IndexOfAny(s_wildcards, i + 1) : -1)
        {
            if (i == 0 || pattern[i - 1] != '`')
            {
                return true;
            }
        }

        return false;
    }

    internal static ApiTokenSelection Choose(
        IReadOnlyList<ApiTokenInfo> visible,
        ApiTokenKey by,
        IEnumerable<string> keys,
        Func<string, Func<string, bool>> compilePattern,
        bool reportMissing,
        Func<string, string, MdApiTokensException> notFound)
    {
        var matches = new List<ApiTokenMatch>();
        foreach (var key in keys)
        {
            IReadOnlyList<ApiTokenInfo> tokens;
            if (by == ApiTokenKey.Id)
            {
                tokens = visible.Where(t => string.Equals(t.Id, key, StringComparison.OrdinalIgnoreCase)).ToList();
            }
            else
            {
                var isMatch = compilePattern(key);
                tokens = visible.Where(t => isMatch(t.Name)).ToList();
            }

            var missing = reportMissing && tokens.Count == 0 && (by == ApiTokenKey.Id || !HasWildcards(key));
            var keyName = by == ApiTokenKey.Id ? "id" : "name";
            matches.Add(new ApiTokenMatch(key, tokens, missing ? notFound(keyName, key) : null));
        }

        return new ApiTokenSelection(matches);
    }
}
