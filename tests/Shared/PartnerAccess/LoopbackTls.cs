using System.Net;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace MdApiTokens.Tests.Shared;

/// <summary>
/// The TLS certificate of the loopback fakes, and the trust the test process gives it. Before the process makes its
/// first TLS connection, <c>SSL_CERT_FILE</c> points at this certificate alone and <c>SSL_CERT_DIR</c> at an empty
/// folder (in the native environment, where OpenSSL reads them), which .NET on Linux takes as the machine's root store: MSAL's own, unmodified HttpClient trusts the fakes on
/// 127.0.0.1 and nothing else, so a test that strayed to a real endpoint would fail its TLS handshake.
/// </summary>
public static class LoopbackTls
{
    private static readonly Lazy<X509Certificate2> s_certificate = new(Create);

    /// <summary>A self-signed server certificate for 127.0.0.1 and localhost, with its private key.</summary>
    public static X509Certificate2 Certificate => s_certificate.Value;

    /// <summary>Where the trusted certificate (PEM) was written.</summary>
    public static string? TrustFile { get; private set; }

    /// <summary>False where the fakes' certificate could not be trusted: macOS, and Windows outside a CI runner (trusting it there means the machine's root store).</summary>
    public static bool IsTrusted { get; private set; }

#pragma warning disable CA2255 // Module initializers in test assemblies: the trust must be set before any TLS use.
    [ModuleInitializer]
#pragma warning restore CA2255
    public static void TrustOnlyTheLoopbackCertificate()
    {
        if (OperatingSystem.IsWindows())
        {
            TrustOnWindowsCiRunner();
            return;
        }

        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        RemoveFoldersOfEndedProcesses(Path.Combine(Path.GetTempPath(), "mdat-tls"));
        var folder = Path.Combine(Path.GetTempPath(), "mdat-tls", Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var emptyDirectory = Path.Combine(folder, "no-other-roots");
        Directory.CreateDirectory(emptyDirectory);
        TrustFile = Path.Combine(folder, "loopback.pem");
        File.WriteAllText(TrustFile, Certificate.ExportCertificatePem());
        // OpenSSL reads the native environment, which Environment.SetEnvironmentVariable does not change on Unix.
        foreach (var (name, value) in new[] { ("SSL_CERT_FILE", TrustFile), ("SSL_CERT_DIR", emptyDirectory) })
        {
            Environment.SetEnvironmentVariable(name, value);
            if (SetNativeEnvironmentVariable(name, value, 1) != 0)
            {
                throw new InvalidOperationException($"setenv({name}) failed: errno {Marshal.GetLastPInvokeError()}.");
            }
        }

        IsTrusted = true;
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try
            {
                Directory.Delete(folder, recursive: true);
            }
            catch (IOException)
            {
            }
        };
    }

    // Windows has no per-process trust file. On a throw-away CI runner (GitHub Actions runs tests as an administrator,
    // without a desktop to prompt on) the certificate goes into the machine's root store for the life of the process;
    // on anyone else's machine nothing is touched and the HTTPS fakes stay untrusted.
    [System.Runtime.Versioning.SupportedOSPlatform("windows")]
    private static void TrustOnWindowsCiRunner()
    {
        if (!string.Equals(Environment.GetEnvironmentVariable("GITHUB_ACTIONS"), "true", StringComparison.OrdinalIgnoreCase))
        {
            return;
        }

        using var publicOnly = X509CertificateLoader.LoadCertificate(Certificate.Export(X509ContentType.Cert));
        using (var store = new X509Store(StoreName.Root, StoreLocation.LocalMachine))
        {
            store.Open(OpenFlags.ReadWrite);
            store.Add(publicOnly);
        }

        IsTrusted = true;
        var thumbprint = publicOnly.Thumbprint;
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            using var store = new X509Store(StoreName.Root, StoreLocation.LocalMachine);
            store.Open(OpenFlags.ReadWrite);
            foreach (var added in store.Certificates.Find(X509FindType.FindByThumbprint, thumbprint, validOnly: false))
            {
                store.Remove(added);
            }
        };
    }

    // Killed processes (the store tests' worker processes load this assembly too) never run ProcessExit.
    private static void RemoveFoldersOfEndedProcesses(string root)
    {
        if (!Directory.Exists(root))
        {
            return;
        }

        foreach (var folder in Directory.EnumerateDirectories(root))
        {
            if (int.TryParse(Path.GetFileName(folder), out var pid) && !IsRunning(pid))
            {
                try
                {
                    Directory.Delete(folder, recursive: true);
                }
                catch (IOException)
                {
                }
            }
        }

        static bool IsRunning(int pid)
        {
            try
            {
                using var process = System.Diagnostics.Process.GetProcessById(pid);
                return !process.HasExited;
            }
            catch (ArgumentException)
            {
                return false;
            }
        }
    }

    [DllImport("libc", EntryPoint = "setenv", SetLastError = true)]
    private static extern int SetNativeEnvironmentVariable([MarshalAs(UnmanagedType.LPUTF8Str)] string name, [MarshalAs(UnmanagedType.LPUTF8Str)] string value, int overwrite);

    private static X509Certificate2 Create()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=MdApiTokens loopback fake", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(new OidCollection { new Oid("1.3.6.1.5.5.7.3.1") }, false));
        using var created = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        // Through PKCS#12 so the key is usable by SslStream on every platform.
        return X509CertificateLoader.LoadPkcs12(created.Export(X509ContentType.Pkcs12), null);
    }
}
