using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using Microsoft.IdentityModel.Tokens;

namespace MdApiTokens.Core.AccessTokens;

/// <summary>
/// Public keys to verify token signatures with, from a JSON Web Key Set such as the identity platform publishes at
/// {sign-in host}/{tenant}/discovery/v2.0/keys (fetched, or saved to a file), or from a single JWK.
/// </summary>
public sealed class AccessTokenSigningKeys
{
    /// <summary>The largest key set read from a file or the network; the identity platform's is a few kilobytes.</summary>
    public const int MaxJwksBytes = 1024 * 1024;

    private AccessTokenSigningKeys(IReadOnlyList<SecurityKey> keys, string source)
    {
        Keys = keys;
        Source = source;
    }

    /// <summary>Where the keys came from (a path or an address), for messages.</summary>
    public string Source { get; }

    /// <summary>The key ids (kid) of the keys, for messages.</summary>
    public IEnumerable<string> KeyIds => Keys.Select(k => k.KeyId).Where(k => !string.IsNullOrEmpty(k));

    internal IReadOnlyList<SecurityKey> Keys { get; }

    /// <summary>Reads a JWKS (or one JWK) from <paramref name="path"/>: at most <see cref="MaxJwksBytes"/>, so a device such as /dev/zero fails instead of filling memory.</summary>
    public static AccessTokenSigningKeys FromFile(string path)
    {
        byte[] bytes;
        try
        {
            if (Directory.Exists(path))
            {
                throw AccessTokenErrors.JwksNotAFile(path);
            }

            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            bytes = ReadAtMost(stream, MaxJwksBytes) ?? throw AccessTokenErrors.JwksOverLimit(path, MaxJwksBytes);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw AccessTokenErrors.JwksMissing(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw AccessTokenErrors.JwksUnreadable(path, e);
        }

        return FromJson(Decode(bytes, path), path);
    }

    /// <summary>Reads a JWKS ({"keys": [...]}) or a single JWK ({"kty": ...}) from <paramref name="json"/>.</summary>
    public static AccessTokenSigningKeys FromJson(string json, string source = "JSON")
    {
        IList<SecurityKey> keys;
        try
        {
            var trimmed = (json ?? "").Trim();
            if (trimmed.Length > MaxJwksBytes)
            {
                throw AccessTokenErrors.JwksOverLimit(source, MaxJwksBytes);
            }

            if (System.Text.RegularExpressions.Regex.IsMatch(trimmed, "^\\{\\s*\"kty\"") || (!trimmed.Contains("\"keys\"") && trimmed.Contains("\"kty\"")))
            {
                var set = new JsonWebKeySet();
                set.Keys.Add(new JsonWebKey(trimmed));
                keys = set.GetSigningKeys();
            }
            else
            {
                keys = new JsonWebKeySet(trimmed).GetSigningKeys();
            }
        }
        catch (Exception e) when (e is ArgumentException or FormatException or System.Text.Json.JsonException or InvalidOperationException or InvalidCastException or OverflowException)
        {
            throw AccessTokenErrors.JwksNotAKeySet(source);
        }

        if (keys.Count == 0)
        {
            throw AccessTokenErrors.JwksEmpty(source);
        }

        return new AccessTokenSigningKeys(keys.ToList(), source);
    }

    /// <summary>The keys with <paramref name="kid"/>, or every key when the token names none.</summary>
    internal IReadOnlyList<SecurityKey> Candidates(string? kid) =>
        kid is null ? Keys : Keys.Where(k => string.Equals(k.KeyId, kid, StringComparison.Ordinal)).ToList();

    /// <summary>Up to <paramref name="limit"/> bytes of <paramref name="stream"/>, or null when it holds more.</summary>
    internal static byte[]? ReadAtMost(Stream stream, int limit)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = stream.Read(chunk, 0, chunk.Length)) > 0)
        {
            if (buffer.Length + read > limit)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    private static string Decode(byte[] bytes, string source)
    {
        try
        {
            return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes).TrimStart('\uFEFF');
        }
        catch (DecoderFallbackException)
        {
            throw AccessTokenErrors.JwksNotAKeySet(source);
        }
    }
}
