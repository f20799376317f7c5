using System.Security.Cryptography.X509Certificates;
using MdApiTokens.Core.PartnerAccess;
using MdApiTokens.Tests.Shared;

namespace MdApiTokens.Core.Tests.PartnerAccess;

/// <summary>Choosing among the copies of a certificate the stores hold (the OS stores replaced by lists).</summary>
public sealed class CertificateStoreTests : IDisposable
{
    private readonly X509Certificate2 _withKey = TestCertificates.CreateClientCertificate();

    private sealed class Stores(params (string Name, Func<X509Certificate2>[] Copies)[] stores) : ICertificateStores
    {
        public List<string> Opened { get; } = new();

        public IEnumerable<StoreMatches> Find(string thumbprint)
        {
            foreach (var (name, copies) in stores)
            {
                Opened.Add(name);
                yield return new StoreMatches(name, copies.Select(c => c()).Where(c => c.Thumbprint == thumbprint).ToList());
            }
        }
    }

    private X509Certificate2 KeyCopy() => X509CertificateLoader.LoadPkcs12(_withKey.Export(X509ContentType.Pkcs12), null);

    private X509Certificate2 PublicCopy() => TestCertificates.PublicOnly(_withKey);

    [Fact]
    public void A_copy_with_its_private_key_in_LocalMachine_wins_over_a_public_copy_in_CurrentUser()
    {
        var stores = new Stores(("Cert:\\CurrentUser\\My", new[] { PublicCopy }), ("Cert:\\LocalMachine\\My", new[] { PublicCopy, KeyCopy }));

        using var credential = PartnerCredential.FromStore(_withKey.Thumbprint, stores);

        Assert.Contains("Cert:\\LocalMachine\\My", credential.Description);
    }

    [Fact]
    public void CurrentUser_is_searched_first_and_LocalMachine_not_opened_when_it_has_the_key()
    {
        var stores = new Stores(("Cert:\\CurrentUser\\My", new[] { PublicCopy, KeyCopy }), ("Cert:\\LocalMachine\\My", new[] { KeyCopy }));

        using var credential = PartnerCredential.FromStore(_withKey.Thumbprint, stores);

        Assert.Contains("Cert:\\CurrentUser\\My", credential.Description);
        Assert.Equal(new[] { "Cert:\\CurrentUser\\My" }, stores.Opened);
    }

    [Fact]
    public void Copies_without_a_private_key_anywhere_are_a_clear_error_naming_the_stores()
    {
        var stores = new Stores(("Cert:\\CurrentUser\\My", new[] { PublicCopy }), ("Cert:\\LocalMachine\\My", new[] { PublicCopy }));

        var error = Assert.Throws<MdApiTokensException>(() => PartnerCredential.FromStore(_withKey.Thumbprint, stores));

        Assert.Equal(PartnerAccessErrors.CertificateInvalid, error.ErrorId);
        Assert.Contains("no copy has its private key", error.Message);
        Assert.Contains("Cert:\\CurrentUser\\My and Cert:\\LocalMachine\\My", error.Message);
    }

    [Fact]
    public void No_copy_anywhere_is_not_found()
    {
        var stores = new Stores(("Cert:\\CurrentUser\\My", Array.Empty<Func<X509Certificate2>>()), ("Cert:\\LocalMachine\\My", Array.Empty<Func<X509Certificate2>>()));

        var error = Assert.Throws<MdApiTokensException>(() => PartnerCredential.FromStore(_withKey.Thumbprint, stores));

        Assert.Equal(PartnerAccessErrors.CertificateNotFound, error.ErrorId);
        Assert.Contains("Cert:\\CurrentUser\\My or Cert:\\LocalMachine\\My", error.Message);
    }

    public void Dispose() => _withKey.Dispose();
}
