using System.Net;
using MdApiTokens.Loader;

namespace MdApiTokens.Module.Tests.Loading;

/// <summary>
/// Windows PowerShell may offer only SSL 3 and TLS 1.0, which Entra ID and the Defender API refuse. The module adds
/// TLS 1.2 (and 1.3 where Windows has it) at import, without taking away what the host enabled.
/// </summary>
public class TlsProtocolsTests
{
    // SSL 3 (48, obsolete in .NET) and TLS 1.0: what .NET Framework offers an app built for 4.5 without registry settings.
    private const SecurityProtocolType WindowsPowerShellDefault = (SecurityProtocolType)48 | SecurityProtocolType.Tls;

    [Fact]
    public void Windows_PowerShells_old_default_gains_TLS_1_2_and_keeps_what_the_host_enabled()
    {
        var result = TlsProtocols.WithModernTls(WindowsPowerShellDefault, osHasTls13: false);

        Assert.Equal(WindowsPowerShellDefault | SecurityProtocolType.Tls12, result);
        Assert.Equal(3072, (int)SecurityProtocolType.Tls12);
    }

    [Fact]
    public void TLS_1_3_is_added_only_where_the_OS_has_it()
    {
        Assert.Equal(WindowsPowerShellDefault | SecurityProtocolType.Tls12 | (SecurityProtocolType)12288, TlsProtocols.WithModernTls(WindowsPowerShellDefault, osHasTls13: true));
        Assert.Equal(SecurityProtocolType.Tls12, TlsProtocols.WithModernTls(SecurityProtocolType.Tls12, osHasTls13: false));
    }

    [Fact]
    public void SystemDefault_is_left_for_Windows_to_choose()
    {
        Assert.Equal((SecurityProtocolType)0, TlsProtocols.WithModernTls(0, osHasTls13: true));
        Assert.Equal((SecurityProtocolType)0, TlsProtocols.WithModernTls(0, osHasTls13: false));
    }

    [Fact]
    public void Protocols_already_enabled_are_kept_and_applying_twice_changes_nothing()
    {
        var host = SecurityProtocolType.Tls11 | SecurityProtocolType.Tls12 | (SecurityProtocolType)12288;
        Assert.Equal(host, TlsProtocols.WithModernTls(host, osHasTls13: false));

        var once = TlsProtocols.WithModernTls(WindowsPowerShellDefault, osHasTls13: true);
        Assert.Equal(once, TlsProtocols.WithModernTls(once, osHasTls13: true));
    }

    [Theory]
    [InlineData(PlatformID.Win32NT, "10.0.22631.0", true)]  // Windows 11 23H2
    [InlineData(PlatformID.Win32NT, "10.0.20348.0", true)]  // Windows Server 2022
    [InlineData(PlatformID.Win32NT, "10.0.19045.0", false)] // Windows 10 22H2
    [InlineData(PlatformID.Win32NT, "10.0.17763.0", false)] // Windows Server 2019
    [InlineData(PlatformID.Win32NT, "6.3.9600.0", false)]   // Windows Server 2012 R2
    [InlineData(PlatformID.Unix, "6.8.0.0", false)]
    public void TLS_1_3_is_known_from_Windows_Server_2022_and_Windows_11_on(PlatformID platform, string version, bool expected)
    {
        Assert.Equal(expected, TlsProtocols.OsHasTls13(new OperatingSystem(platform, Version.Parse(version))));
    }
}
