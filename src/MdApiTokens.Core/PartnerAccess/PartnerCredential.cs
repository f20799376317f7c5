using System;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net;
using System.Runtime.InteropServices;
using System.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using MdApiTokens.Core.Shared;
using Microsoft.Identity.Client;

namespace MdApiTokens.Core.PartnerAccess;

/// <summary>
/// How the partner application proves who it is: a client secret or a certificate. It never shows the secret: its
/// <see cref="Description"/> and fingerprint are safe to log, and <see cref="Scrub"/> removes the secret from any
/// text that might echo it.
/// </summary>
public abstract partial class PartnerCredential : IDisposable
{
    private protected PartnerCredential()
    {
    }

    /// <summary>What kind of credential this is, for messages: "client secret", or the certificate's subject and thumbprint.</summary>
    public abstract string Description { get; }

    /// <summary>Identifies the credential in the process-wide client cache without revealing it (a keyed hash of a secret, a certificate hash).</summary>
    internal abstract string Fingerprint { get; }

    /// <summary>A client secret, as a runbook's PSCredential or Read-Host -AsSecureString gives it.</summary>
    public static PartnerCredential FromSecret(SecureString secret)
    {
        if (secret is null)
        {
            throw new ArgumentNullException(nameof(secret));
        }

        return FromSecret(SecretText.Unwrap(secret));
    }

    /// <summary>A client secret as plain text (for hosts without SecureString); prefer the SecureString overload.</summary>
    public static PartnerCredential FromSecret(string secret)
    {
        if (string.IsNullOrEmpty(secret))
        {
            throw new MdApiTokensException(PartnerAccessErrors.SecretEmpty, ErrorKind.InvalidArgument,
                "The client secret is empty.", null,
                "Give the secret's Value (not its Secret ID) from the app registration's Certificates & secrets page.");
        }

        return new ClientSecretCredential(secret);
    }

    /// <summary>A certificate with an RSA private key, registered on the application.</summary>
    public static PartnerCredential FromCertificate(X509Certificate2 certificate)
    {
        if (certificate is null)
        {
            throw new ArgumentNullException(nameof(certificate));
        }

        // A copy, so the cached client keeps working after the caller disposes theirs.
        return CertificateCredential.Create(new X509Certificate2(certificate), "the certificate given");
    }

    /// <summary>
    /// The certificate with <paramref name="thumbprint"/> (SHA-1, as the portal and certificate stores show it) from the
    /// CurrentUser\My store, then LocalMachine\My where the platform has one: the first copy that has its private key.
    /// </summary>
    public static PartnerCredential FromStore(string thumbprint) => FromStore(thumbprint, SystemCertificateStores.Instance);

    internal static PartnerCredential FromStore(string thumbprint, ICertificateStores stores)
    {
        var wanted = NormalizeThumbprint(thumbprint);
        var searched = new System.Collections.Generic.List<StoreMatches>();
        X509Certificate2? match = null;
        string? matchStore = null;
        foreach (var found in stores.Find(wanted))
        {
            searched.Add(found);
            match = found.Certificates.FirstOrDefault(c => c.HasPrivateKey);
            if (match is not null)
            {
                matchStore = found.StoreName;
                break;
            }
        }

        foreach (var other in searched.SelectMany(s => s.Certificates).Where(c => !ReferenceEquals(c, match)))
        {
            other.Dispose();
        }

        if (match is not null)
        {
            return CertificateCredential.Create(match, $"{matchStore}\\{wanted}");
        }

        var holders = searched.Where(s => s.Certificates.Count > 0).Select(s => s.StoreName).ToList();
        if (holders.Count > 0)
        {
            throw new MdApiTokensException(PartnerAccessErrors.CertificateInvalid, ErrorKind.InvalidArgument,
                $"The certificate {wanted} is in {string.Join(" and ", holders)}, but no copy has its private key, so it cannot sign a token request.", wanted,
                "Import the certificate with its private key (its PFX) into Cert:\\CurrentUser\\My, or run as the account that holds the key, or use -CertificatePath.");
        }

        var names = searched.Select(s => s.StoreName).ToList();
        throw new MdApiTokensException(PartnerAccessErrors.CertificateNotFound, ErrorKind.ObjectNotFound,
            $"No certificate with thumbprint {wanted} in {(names.Count == 0 ? "any certificate store" : string.Join(" or ", names))}.", wanted,
            "Import the certificate with its private key into Cert:\\CurrentUser\\My, or use -CertificatePath with its PFX file.");
    }

    /// <summary>A PFX (PKCS#12) file holding the certificate and its private key.</summary>
    public static PartnerCredential FromPfxFile(string path, SecureString? password)
    {
        if (!File.Exists(path))
        {
            throw new MdApiTokensException(PartnerAccessErrors.CertificateNotFound, ErrorKind.ObjectNotFound,
                $"The certificate file '{path}' does not exist.", path, "Give the path of the PFX file that holds the certificate and its private key.");
        }

        X509Certificate2 certificate;
        try
        {
            certificate = LoadPfx(path, password);
        }
        catch (CryptographicException e)
        {
            throw new MdApiTokensException(PartnerAccessErrors.CertificateInvalid, ErrorKind.InvalidData,
                $"The certificate file '{path}' could not be opened: {e.Message.TrimEnd('.')}. The password may be wrong, or the file is not a PFX (PKCS#12).", path,
                "Check -CertificatePassword, or export the certificate again as a PFX with its private key.");
        }
        catch (UnauthorizedAccessException e)
        {
            throw new MdApiTokensException(PartnerAccessErrors.CertificateInvalid, ErrorKind.PermissionDenied,
                $"The certificate file '{path}' could not be read: {e.Message}", path, "Check that your account can read the file.");
        }

        return CertificateCredential.Create(certificate, path);
    }

    /// <summary>Removes every form of the secret that could appear in <paramref name="text"/> (plain, URL- or form-encoded).</summary>
    public virtual string Scrub(string text) => text;

    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    internal abstract ConfidentialClientApplicationBuilder Apply(ConfidentialClientApplicationBuilder builder);

    /// <summary>Called when a new cached client takes this credential: whatever it holds must now outlive this object.</summary>
    internal virtual void TransferToClient()
    {
    }

    protected virtual void Dispose(bool disposing)
    {
    }

    internal static string NormalizeThumbprint(string? thumbprint)
    {
        // Copies from certificate dialogs carry spaces, colons and an invisible left-to-right mark.
        var hex = new string((thumbprint ?? "").Where(Uri.IsHexDigit).ToArray()).ToUpperInvariant();
        if (hex.Length != 40 || (thumbprint ?? "").Any(c => !Uri.IsHexDigit(c) && !char.IsWhiteSpace(c) && c is not ':' and not '-' and not '\u200E' and not '\u200F'))
        {
            throw new MdApiTokensException(PartnerAccessErrors.CertificateNotFound, ErrorKind.InvalidArgument,
                "The certificate thumbprint must be 40 hexadecimal characters (a SHA-1 thumbprint).", thumbprint,
                "Copy the thumbprint from the app registration's Certificates & secrets page or from Get-ChildItem Cert:\\CurrentUser\\My.");
        }

        return hex;
    }

    private static X509Certificate2 LoadPfx(string path, SecureString? password)
    {
        // Keys of a PFX loaded on Windows would otherwise be written to the user's key store and left there.
        if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows))
        {
            try
            {
                return new X509Certificate2(path, password, EphemeralKeySet);
            }
            catch (ArgumentException)
            {
                // .NET Framework before 4.7.2 has no ephemeral keys.
            }
        }

        return new X509Certificate2(path, password, X509KeyStorageFlags.DefaultKeySet);
    }

    private const X509KeyStorageFlags EphemeralKeySet = (X509KeyStorageFlags)32;

    private sealed class ClientSecretCredential : PartnerCredential
    {
        // One random key per process: the fingerprint of a secret is useless outside this process.
        private static readonly byte[] s_fingerprintKey = RandomKey();

        private readonly string _secret;
        private readonly string[] _forms;

        public ClientSecretCredential(string secret)
        {
            _secret = secret;
            _forms = new[] { secret, Uri.EscapeDataString(secret), WebUtility.UrlEncode(secret), JsonEscaped(secret) }
                .Where(f => f.Length > 0)
                .Distinct(StringComparer.Ordinal)
                .OrderByDescending(f => f.Length)
                .ToArray();
            using var hmac = new HMACSHA256(s_fingerprintKey);
            Fingerprint = "secret:" + Hex(hmac.ComputeHash(Encoding.UTF8.GetBytes(secret)));
        }

        public override string Description => "client secret";

        internal override string Fingerprint { get; }

        public override string Scrub(string text)
        {
            if (string.IsNullOrEmpty(text))
            {
                return text;
            }

            foreach (var form in _forms)
            {
                text = Replace(text, form, "***");
            }

            return text;
        }

        internal override ConfidentialClientApplicationBuilder Apply(ConfidentialClientApplicationBuilder builder) => builder.WithClientSecret(_secret);

        private static string Replace(string text, string value, string replacement)
        {
            var builder = new StringBuilder(text.Length);
            var start = 0;
            int index;
            while ((index = text.IndexOf(value, start, StringComparison.OrdinalIgnoreCase)) >= 0)
            {
                builder.Append(text, start, index - start).Append(replacement);
                start = index + value.Length;
            }

            return start == 0 ? text : builder.Append(text, start, text.Length - start).ToString();
        }

        private static string JsonEscaped(string value)
        {
            var builder = new StringBuilder(value.Length);
            foreach (var c in value)
            {
                if (c is '"' or '\\' or '/' || c < ' ' || c > '~')
                {
                    builder.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                }
                else
                {
                    builder.Append(c);
                }
            }

            return builder.ToString();
        }

        private static byte[] RandomKey()
        {
            var key = new byte[32];
            using var rng = RandomNumberGenerator.Create();
            rng.GetBytes(key);
            return key;
        }
    }

    private sealed class CertificateCredential : PartnerCredential
    {
        private readonly X509Certificate2 _certificate;
        private bool _ownedByClient;

        private CertificateCredential(X509Certificate2 certificate, string source)
        {
            _certificate = certificate;
            using var sha256 = SHA256.Create();
            Fingerprint = "certificate:" + Hex(sha256.ComputeHash(certificate.RawData));
            Description = $"certificate {certificate.Subject} (thumbprint {certificate.Thumbprint}, from {source})";
        }

        public override string Description { get; }

        internal override string Fingerprint { get; }

        public static CertificateCredential Create(X509Certificate2 certificate, string source)
        {
            string? problem = null;
            if (!certificate.HasPrivateKey)
            {
                problem = "it has no private key";
            }
            else
            {
                try
                {
                    using var key = certificate.GetRSAPrivateKey();
                    if (key is null)
                    {
                        problem = "its key is not an RSA key (the identity platform accepts RSA certificates)";
                    }
                }
                catch (CryptographicException e)
                {
                    problem = "its private key cannot be used: " + e.Message.TrimEnd('.');
                }
            }

            if (problem is not null)
            {
                var thumbprint = certificate.Thumbprint;
                certificate.Dispose();
                throw new MdApiTokensException(PartnerAccessErrors.CertificateInvalid, ErrorKind.InvalidArgument,
                    $"The certificate {thumbprint} from {source} cannot sign a token request: {problem}.", thumbprint,
                    "Use the certificate together with its RSA private key (a PFX, or a store certificate imported with its key).");
            }

            return new CertificateCredential(certificate, source);
        }

        internal override ConfidentialClientApplicationBuilder Apply(ConfidentialClientApplicationBuilder builder) => builder.WithCertificate(_certificate);

        internal override void TransferToClient() => _ownedByClient = true;

        protected override void Dispose(bool disposing)
        {
            if (disposing && !_ownedByClient)
            {
                _certificate.Dispose();
            }
        }
    }

    private static string Hex(byte[] bytes)
    {
        var builder = new StringBuilder(bytes.Length * 2);
        foreach (var b in bytes)
        {
            builder.Append(b.ToString("x2", CultureInfo.InvariantCulture));
        }

        return builder.ToString();
    }
}
