using System.Collections.Generic;
using System.Linq;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace MdApiTokens.Core.PartnerAccess;

/// <summary>The copies of a certificate found in one store, with the store's name for messages.</summary>
internal sealed record StoreMatches(string StoreName, IReadOnlyList<X509Certificate2> Certificates);

/// <summary>Where certificates are looked up by thumbprint: the OS stores, or a test's list.</summary>
internal interface ICertificateStores
{
    /// <summary>The copies with <paramref name="thumbprint"/> in each store, in the order they are preferred.</summary>
    IEnumerable<StoreMatches> Find(string thumbprint);
}

/// <summary>
/// Cert:\CurrentUser\My, then Cert:\LocalMachine\My. The only code that opens the OS stores; everything that decides
/// among the copies found is in <see cref="PartnerCredential"/> and tested without them.
/// </summary>
internal sealed class SystemCertificateStores : ICertificateStores
{
    public static readonly SystemCertificateStores Instance = new();

    public IEnumerable<StoreMatches> Find(string thumbprint)
    {
        foreach (var location in new[] { StoreLocation.CurrentUser, StoreLocation.LocalMachine })
        {
            X509Store store;
            try
            {
                store = new X509Store(StoreName.My, location);
                store.Open(OpenFlags.ReadOnly | OpenFlags.OpenExistingOnly);
            }
            catch (CryptographicException)
            {
                // Unix has no LocalMachine\My; a store that does not exist yet holds nothing.
                continue;
            }

            using (store)
            {
                yield return new StoreMatches($"Cert:\\{location}\\My", store.Certificates.Find(X509FindType.FindByThumbprint, thumbprint, validOnly: false).Cast<X509Certificate2>().ToList());
            }
        }
    }
}
