using System;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using MdApiTokens.Core.Shared;
using Microsoft.IdentityModel.Tokens;

namespace MdApiTokens.Core.AccessTokens;

/// <summary>
/// Verifies a JWS signature with public keys. Only the asymmetric algorithms the identity platform signs with are
/// accepted: an unsigned token (alg none, or no signature) or an HMAC one (whose "key" would be a public key anyone has)
/// never verifies.
/// </summary>
internal static class AccessTokenSignature
{
    private static readonly string[] s_algorithms = { "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512" };

    /// <summary>Why the token cannot be verified by any key (unsigned, or an algorithm not accepted), or null.</summary>
    public static string? Unverifiable(DecodedClaims claims)
    {
        if (!claims.IsSigned || claims.Algorithm is null || string.Equals(claims.Algorithm, "none", StringComparison.OrdinalIgnoreCase))
        {
            return "The token is not signed (alg " + (claims.Algorithm ?? "absent") + (claims.IsSigned ? "" : ", no signature") + "): an unsigned token is never valid.";
        }

        return s_algorithms.Contains(claims.Algorithm, StringComparer.Ordinal)
            ? null
            : $"The token is signed with {claims.Algorithm}; only {string.Join(", ", s_algorithms)} are accepted.";
    }

    /// <summary>The key that verifies <paramref name="compact"/>'s signature, or null (never throws).</summary>
    public static SecurityKey? FindVerifyingKey(string compact, DecodedClaims claims, AccessTokenSigningKeys keys)
    {
        var dot = compact.LastIndexOf('.');
        var input = Encoding.ASCII.GetBytes(compact.Substring(0, dot));
        byte[] signature;
        try
        {
            signature = BearerToken.DecodeSegment(compact.Substring(dot + 1));
        }
        catch (FormatException)
        {
            return null;
        }

        foreach (var key in keys.Candidates(claims.KeyId))
        {
            if (Verifies(key, claims.Algorithm!, input, signature))
            {
                return key;
            }
        }

        return null;
    }

    private static bool Verifies(SecurityKey key, string algorithm, byte[] input, byte[] signature)
    {
        SignatureProvider? provider = null;
        try
        {
            var factory = key.CryptoProviderFactory ?? CryptoProviderFactory.Default;
            if (!factory.IsSupportedAlgorithm(algorithm, key))
            {
                return false;
            }

            provider = factory.CreateForVerifying(key, algorithm);
            return provider.Verify(input, signature);
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or CryptographicException or InvalidOperationException or SecurityTokenException)
        {
            return false;
        }
        finally
        {
            if (provider is not null)
            {
                (key.CryptoProviderFactory ?? CryptoProviderFactory.Default).ReleaseSignatureProvider(provider);
            }
        }
    }
}
