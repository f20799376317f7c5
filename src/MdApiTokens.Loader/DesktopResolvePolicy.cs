using System;
using System.IO;
using System.Linq;
using System.Reflection;

namespace MdApiTokens.Loader;

/// <summary>
/// What Windows PowerShell's AssemblyResolve handler answers. The event is process-wide and raised for every module's
/// failed loads, so it answers only requests from the module's own assemblies, or requests that our copy satisfies (the
/// version asked for or an older one, from the same publisher). A module imported later that asks for a newer MSAL,
/// System.Text.Json or IdentityModel than ours is left to its own resolver.
/// </summary>
internal static class DesktopResolvePolicy
{
    /// <summary>The folder under <c>dependencies</c> with the .NET Framework builds of packages whose netstandard2.0 build is a stub.</summary>
    public const string DesktopFolderName = "desktop";

    /// <summary>The file that answers a request for <paramref name="simpleName"/>: the .NET Framework build first, then the shared one.</summary>
    public static string? FileFor(string dependencyDirectory, string simpleName) =>
        new[] { Path.Combine(dependencyDirectory, DesktopFolderName, simpleName + ".dll"), Path.Combine(dependencyDirectory, simpleName + ".dll") }
            .FirstOrDefault(File.Exists);

    /// <summary>Whether <paramref name="ours"/> answers <paramref name="requested"/>, asked for by the assembly at <paramref name="requestingAssemblyPath"/> (null when unknown).</summary>
    public static bool ShouldAnswer(AssemblyName requested, AssemblyName ours, string? requestingAssemblyPath, string moduleDirectory)
    {
        if (!string.IsNullOrEmpty(requested.CultureName) || !string.Equals(requested.Name, ours.Name, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        if (IsInside(requestingAssemblyPath, moduleDirectory))
        {
            return true;
        }

        var notNewerThanOurs = requested.Version is null || (ours.Version is not null && requested.Version <= ours.Version);
        var requestedToken = requested.GetPublicKeyToken();
        var samePublisher = requestedToken is null || requestedToken.Length == 0 || requestedToken.SequenceEqual(ours.GetPublicKeyToken() ?? Array.Empty<byte>());
        return notNewerThanOurs && samePublisher;
    }

    private static bool IsInside(string? path, string directory)
    {
        if (string.IsNullOrEmpty(path))
        {
            return false;
        }

        var folder = Path.GetFullPath(directory).TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar) + Path.DirectorySeparatorChar;
        return Path.GetFullPath(path).StartsWith(folder, StringComparison.OrdinalIgnoreCase);
    }
}
