using System;
using System.Net;

namespace MdApiTokens.Loader;

/// <summary>
/// Windows PowerShell: <c>powershell.exe</c> is built for an old .NET Framework, so on a host without the strong-crypto
/// registry settings its HTTP calls offer only SSL 3 and TLS 1.0, which Entra ID and the Defender API refuse. At import
/// the loader adds TLS 1.2, and TLS 1.3 where Windows has it, to <c>ServicePointManager.SecurityProtocol</c>, which
/// the module's and MSAL's HttpClient read on .NET Framework. This class decides what to set; the loader sets it.
/// </summary>
internal static class TlsProtocols
{
    /// <summary>TLS 1.3 (12288): netstandard2.0 does not name it, and .NET Framework before 4.8 does not know it.</summary>
    public const SecurityProtocolType Tls13 = (SecurityProtocolType)12288;

    /// <summary>SystemDefault (0): netstandard2.0 does not name it either.</summary>
    public const SecurityProtocolType SystemDefault = 0;

    // Windows Server 2022 (build 20348) and Windows 11 (22000) are the first with TLS 1.3 in SChannel. Asking for it on an
    // older Windows makes handshakes fail.
    private const int FirstWindowsBuildWithTls13 = 20348;

    /// <summary>
    /// The protocols to use: the host's, plus TLS 1.2, plus TLS 1.3 when the OS has it; nothing the host enabled is
    /// removed. SystemDefault (0), the default for apps built for .NET Framework 4.7 or later, already lets Windows
    /// choose its best protocols, and is left alone.
    /// </summary>
    public static SecurityProtocolType WithModernTls(SecurityProtocolType current, bool osHasTls13) =>
        current == SystemDefault ? current : current | SecurityProtocolType.Tls12 | (osHasTls13 ? Tls13 : 0);

    /// <summary>Whether this Windows has TLS 1.3.</summary>
    public static bool OsHasTls13(OperatingSystem os) =>
        os.Platform == PlatformID.Win32NT && os.Version.Major >= 10 && os.Version.Build >= FirstWindowsBuildWithTls13;
}
