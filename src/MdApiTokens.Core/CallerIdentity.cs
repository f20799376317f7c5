using System;
using System.Runtime.InteropServices;

namespace MdApiTokens.Core;

/// <summary>The operating-system account running this process, as the store records callers.</summary>
public static class CallerIdentity
{
    /// <summary><c>DOMAIN\user</c> on Windows, the user name elsewhere.</summary>
    public static string Current()
    {
        if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows))
        {
            return Environment.UserDomainName + "\\" + Environment.UserName;
        }

        return Environment.UserName;
    }

    /// <summary>How account names compare: case-insensitively on Windows, exactly elsewhere.</summary>
    public static StringComparer Comparer { get; } =
        RuntimeInformation.IsOSPlatform(OSPlatform.Windows) ? StringComparer.OrdinalIgnoreCase : StringComparer.Ordinal;
}
