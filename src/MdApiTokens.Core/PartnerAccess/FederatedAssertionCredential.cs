using System;
using System.IO;
using System.Security;
using System.Security.Cryptography;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using MdApiTokens.Core.Shared;
using Microsoft.Identity.Client;

namespace MdApiTokens.Core.PartnerAccess;

/// <summary>
/// The partner application proves who it is with a signed assertion another identity provider issued (a federated
/// credential): a given token, a token file re-read for every request, or a managed identity's token. The assertion is
/// a secret: <see cref="Scrub"/> removes the last one presented from any text.
/// </summary>
internal sealed class AssertionCredential : PartnerCredential
{
    private readonly Func<CancellationToken, Task<string>> _source;
    private string? _lastAssertion;

    private AssertionCredential(Func<CancellationToken, Task<string>> source, string description, string fingerprint)
    {
        _source = source;
        Description = description;
        Fingerprint = fingerprint;
    }

    public override string Description { get; }

    internal override string Fingerprint { get; }

    /// <summary>The issuer, subject and audience of the last assertion presented (not secret), for messages.</summary>
    internal string? PresentedClaims { get; private set; }

    public static AssertionCredential ForText(string assertion)
    {
        var compact = Check(assertion, problem => PartnerIdentityErrors.AssertionInvalid(problem));
        using var sha256 = SHA256.Create();
        var fingerprint = "assertion:" + Convert.ToBase64String(sha256.ComputeHash(Encoding.UTF8.GetBytes(compact)));
        var credential = new AssertionCredential(_ => Task.FromResult(compact), "client assertion", fingerprint);
        credential.Remember(compact);
        return credential;
    }

    /// <summary>The file is read now (so a wrong path fails at once) and again whenever MSAL needs a new token: providers rotate it.</summary>
    public static AssertionCredential ForFile(string path)
    {
        var full = Path.GetFullPath(path);
        var credential = new AssertionCredential(_ => Task.FromResult(ReadTokenFile(full, ErrorScope.Item)), $"federated token file {full}", "assertion-file:" + full);
        credential.Remember(ReadTokenFile(full, ErrorScope.Invocation));
        return credential;
    }

    public static AssertionCredential ForManagedIdentity(PartnerManagedIdentity identity, AzureCloud cloud) =>
        new(ct => identity.AcquireAssertionAsync(cloud, ct),
            $"{identity.Description} (its token for {CloudTable.For(cloud).TokenExchangeAudience})", identity.Fingerprint(cloud));

    public override string Scrub(string text)
    {
        var last = _lastAssertion;
        return string.IsNullOrEmpty(text) || last is null ? text : text.Replace(last, "***");
    }

    internal override ConfidentialClientApplicationBuilder Apply(ConfidentialClientApplicationBuilder builder) =>
        builder.WithClientAssertion(async (AssertionRequestOptions options) =>
        {
            var assertion = await _source(options.CancellationToken).ConfigureAwait(false);
            Remember(assertion);
            return assertion;
        });

    internal static string ReadTokenFile(string path, ErrorScope scope)
    {
        string text;
        try
        {
            var info = new FileInfo(path);
            if (Directory.Exists(path))
            {
                throw PartnerIdentityErrors.TokenFileUnusable(path, "it is a folder, not a file", ErrorKind.InvalidArgument, scope);
            }

            if (!info.Exists)
            {
                throw PartnerIdentityErrors.TokenFileMissing(path, scope);
            }

            if (info.Length > BearerToken.MaxLength)
            {
                throw PartnerIdentityErrors.TokenFileUnusable(path, $"it is {info.Length} bytes, more than any token", ErrorKind.InvalidData, scope);
            }

            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw PartnerIdentityErrors.TokenFileMissing(path, scope);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or SecurityException)
        {
            throw PartnerIdentityErrors.TokenFileUnusable(path, "it could not be read: " + e.Message.TrimEnd('.'), ErrorKind.ReadError, scope);
        }

        return Check(text, problem => PartnerIdentityErrors.TokenFileUnusable(path, problem, ErrorKind.InvalidData, scope));
    }

    private static string Check(string? assertion, Func<string, MdApiTokensException> fail)
    {
        if (string.IsNullOrWhiteSpace(assertion))
        {
            throw fail("it is empty");
        }

        // The text is never echoed: it is a secret.
        var claims = BearerToken.Decode(assertion, out var compact, out var problem);
        if (claims is null || compact is null)
        {
            throw fail("it is not a signed JWT: " + (problem ?? "unreadable"));
        }

        if (!claims.IsSigned)
        {
            throw fail("it is not signed (its signature is empty)");
        }

        return compact;
    }

    private void Remember(string assertion)
    {
        _lastAssertion = assertion;
        var claims = BearerToken.TryDecode(assertion);
        PresentedClaims = claims is null ? null
            : $"issuer {claims.Issuer ?? "(none)"}, subject {Text(claims, "sub")}, audience {string.Join(" ", claims.Audience)}";
    }

    private static string Text(DecodedClaims claims, string name) =>
        claims.All.TryGetValue(name, out var value) && value is not null ? value.ToString() ?? "(none)" : "(none)";
}
