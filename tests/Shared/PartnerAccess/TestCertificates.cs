using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace MdApiTokens.Tests.Shared;

/// <summary>Client certificates for the certificate credential tests: self-signed RSA, as partners register them.</summary>
public static class TestCertificates
{
    /// <summary>A new self-signed RSA certificate with its private key.</summary>
    public static X509Certificate2 CreateClientCertificate(string subject = "CN=MdApiTokens partner app test")
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        using var created = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(60));
        return X509CertificateLoader.LoadPkcs12(created.Export(X509ContentType.Pkcs12), null, X509KeyStorageFlags.Exportable);
    }

    /// <summary>Writes <paramref name="certificate"/> with its private key as a PFX file.</summary>
    public static void WritePfx(X509Certificate2 certificate, string path, string? password) =>
        File.WriteAllBytes(path, certificate.Export(X509ContentType.Pkcs12, password));

    /// <summary>The public part only (what is uploaded to the app registration).</summary>
    public static X509Certificate2 PublicOnly(X509Certificate2 certificate) => X509CertificateLoader.LoadCertificate(certificate.RawData);
}
