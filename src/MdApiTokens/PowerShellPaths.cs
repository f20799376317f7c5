using System;
using System.Management.Automation;
using MdApiTokens.Core;

namespace MdApiTokens.Commands;

/// <summary>Turns paths as users type them (relative, ~, PowerShell drives such as TestDrive:) into file-system paths.</summary>
internal static class PowerShellPaths
{
    public static string ToFileSystemPath(PathIntrinsics paths, string path, string errorId, string what)
    {
        try
        {
            var resolved = paths.GetUnresolvedProviderPathFromPSPath(path, out var provider, out _);
            if (!string.Equals(provider.Name, "FileSystem", StringComparison.OrdinalIgnoreCase))
            {
                throw new MdApiTokensException(errorId, ErrorKind.InvalidArgument,
                    $"The {what} '{path}' is on the {provider.Name} provider; it must be a file-system path.", path,
                    "Give a path on a file-system drive, for example (Join-Path $HOME 'tokens').");
            }

            return resolved;
        }
        catch (Exception e) when (e is ItemNotFoundException or DriveNotFoundException or ProviderNotFoundException or PSArgumentException or NotSupportedException or ArgumentException or ProviderInvocationException)
        {
            throw new MdApiTokensException(errorId, ErrorKind.InvalidArgument,
                $"The {what} '{path}' is not a valid path: {e.Message}", path,
                "Give a path on an existing file-system drive.", e);
        }
    }
}
