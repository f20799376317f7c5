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
}
