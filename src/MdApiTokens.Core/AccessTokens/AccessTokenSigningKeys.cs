using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using MdApiTokens.Core.Shared;
using Microsoft.IdentityModel.Tokens;

namespace MdApiTokens.Core.AccessTokens;

/// <summary>
/// Public keys to verify token signatures with, from a JSON Web Key Set such as the identity platform publishes at
/// {sign-in host}/{tenant}/discovery/v2.0/keys (saved to a file), or from a single JWK.
/// </summary>
public sealed class AccessTokenSigningKeys
{
    private AccessTokenSigningKeys(IReadOnlyList<SecurityKey> keys, string source)
    {
        Keys = keys;
        Source = source;
    }

    private static string KeysAddress => CloudTable.Public.SignInHost.AbsoluteUri + "<tenant>/discovery/v2.0/keys";

    /// <summary>Where the keys came from (a path), for messages.</summary>
    public string Source { get; }

    /// <summary>The key ids (kid) of the keys, for messages.</summary>
    public IEnumerable<string> KeyIds => Keys.Select(k => k.KeyId).Where(k => !string.IsNullOrEmpty(k));

    internal IReadOnlyList<SecurityKey> Keys { get; }

    /// <summary>Reads a JWKS (or one JWK) from <paramref name="path"/>.</summary>
    public static AccessTokenSigningKeys FromFile(string path)
    {
        string json;
        try
        {
            var info = new FileInfo(path);
            if (!info.Exists)
            {
                throw new MdApiTokensException(AccessTokensErrorIds.JwksNotFound, ErrorKind.ObjectNotFound,
                    $"The signing key file '{path}' does not exist.", path,
                    $"Save the tenant's keys, e.g. Invoke-RestMethod {KeysAddress} | ConvertTo-Json -Depth 5 | Set-Content keys.json.");
            }

            if (info.Length > 1024 * 1024)
            {
                throw new MdApiTokensException(AccessTokensErrorIds.JwksInvalid, ErrorKind.InvalidData,
                    $"The signing key file '{path}' is larger than 1 MiB; a key set is a few kilobytes.", path, "Give a JSON Web Key Set file.");
            }

            json = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new MdApiTokensException(AccessTokensErrorIds.JwksInvalid, ErrorKind.ReadError,
                $"The signing key file '{path}' could not be read: {e.Message}", path, "Check the path and that your account can read it.");
        }

        return FromJson(json, path);
    }

    /// <summary>Reads a JWKS ({"keys": [...]}) or a single JWK ({"kty": ...}) from <paramref name="json"/>.</summary>
    public static AccessTokenSigningKeys FromJson(string json, string source = "JSON")
    {
        IList<SecurityKey> keys;
        try
        {
            var trimmed = (json ?? "").Trim();
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
        catch (Exception e) when (e is ArgumentException or FormatException or System.Text.Json.JsonException or InvalidOperationException)
        {
            throw new MdApiTokensException(AccessTokensErrorIds.JwksInvalid, ErrorKind.InvalidData,
                $"The signing keys in {source} are not a JSON Web Key Set.", source,
                $"Give the JSON the identity platform serves at {KeysAddress}.");
        }

        if (keys.Count == 0)
        {
            throw new MdApiTokensException(AccessTokensErrorIds.JwksInvalid, ErrorKind.InvalidData,
                $"The key set in {source} holds no signing keys.", source,
                "Give a key set with RSA or EC signing keys (kty, n and e, or x5c).");
        }

        return new AccessTokenSigningKeys(keys.ToList(), source);
    }
}
