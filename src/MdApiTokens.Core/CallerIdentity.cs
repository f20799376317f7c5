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

    /// <summary>
    /// The account name as the operating system gives it to a caller, for a name as typed (<c>alice</c>, a UPN,
    /// <c>contoso.com\alice</c>): on Windows translated to the account's SID and back (<c>CONTOSO\alice</c>), so a role
    /// granted by any of these matches the caller; null when Windows cannot resolve it. Elsewhere the name as given.
    /// </summary>
    public static string? Normalize(string name)
    {
        if (!RuntimeInformation.IsOSPlatform(OSPlatform.Windows))
        {
            return name;
        }

        try
        {
            var sid = new System.Security.Principal.NTAccount(name).Translate(typeof(System.Security.Principal.SecurityIdentifier));
            return sid.Translate(typeof(System.Security.Principal.NTAccount)).Value;
        }
        catch (Exception e) when (e is System.Security.Principal.IdentityNotMappedException or ArgumentException or SystemException)
        {
            return null;
        }
    }

    /// <summary>How account names compare: case-insensitively on Windows, exactly elsewhere.</summary>
    public static StringComparer Comparer { get; } =
        RuntimeInformation.IsOSPlatform(OSPlatform.Windows) ? StringComparer.OrdinalIgnoreCase : StringComparer.Ordinal;
}
