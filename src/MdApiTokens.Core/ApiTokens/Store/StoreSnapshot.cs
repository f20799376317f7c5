using System;
using System.Collections.Generic;
using System.Threading;

namespace MdApiTokens.Core.ApiTokens;

/// <summary>
/// A parsed store file, the exact bytes it was parsed from and the identity of the file they were read from. Its
/// document is shared and must not be changed (except the one a store keeps for its own next change, which nothing
/// else sees).
/// </summary>
internal sealed class StoreSnapshot
{
    private TokenIndex? _index;

    public StoreSnapshot(StoreBytes bytes, StoreDocument document, FileIdentity identity)
    {
        Bytes = bytes;
        Document = document;
        Identity = identity;
    }

    public StoreBytes Bytes { get; }

    public StoreDocument Document { get; }

    public FileIdentity Identity { get; }

    /// <summary>Live and revoked tokens by hash, built on first use (by a validator) and shared by every thread.</summary>
    public TokenIndex Index => LazyInitializer.EnsureInitialized(ref _index, () => new TokenIndex(Document))!;

    /// <summary>The same parsed content, found again in a file with another identity (touched, or rewritten with the same bytes).</summary>
    public StoreSnapshot WithIdentity(FileIdentity identity) =>
        new(Bytes, Document, identity) { _index = _index };
}

/// <summary>
/// Tokens by the SHA-256 of their value. The hash of a 256-bit random secret leaks nothing useful through lookup
/// timing; the validator still compares the found hash in constant time.
/// </summary>
internal sealed class TokenIndex
{
    public TokenIndex(StoreDocument document)
    {
        Live = new Dictionary<string, ApiTokenRecord>(document.Tokens.Count, StringComparer.Ordinal);
        foreach (var token in document.Tokens)
        {
            Live[token.Hash] = token;
        }

        Revoked = new Dictionary<string, RevokedTokenRecord>(document.Revoked?.Count ?? 0, StringComparer.Ordinal);
        foreach (var revoked in document.Revoked ?? new List<RevokedTokenRecord>())
        {
            Revoked[revoked.Token.Hash] = revoked;
        }
    }

    public Dictionary<string, ApiTokenRecord> Live { get; }

    public Dictionary<string, RevokedTokenRecord> Revoked { get; }
}
