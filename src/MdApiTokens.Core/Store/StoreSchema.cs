using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using MdApiTokens.Core.ApiTokens;

namespace MdApiTokens.Core.Store;

/// <summary>Turns the store file's bytes into a document, refusing anything that is not a whole, known-version store.</summary>
internal static class StoreSchema
{
    /// <summary>The schema version this library reads and writes.</summary>
    public const int CurrentVersion = 1;

    public static StoreDocument Parse(byte[] bytes, string path)
    {
        if (bytes.Length == 0)
        {
            throw ApiTokenErrors.Corrupt(path, "it is empty");
        }

        JsonDocument json;
        try
        {
            json = JsonDocument.Parse(bytes);
        }
        catch (JsonException e)
        {
            throw ApiTokenErrors.Corrupt(path, $"it is not valid JSON (line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1})", e);
        }

        using (json)
        {
            var root = json.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw ApiTokenErrors.Corrupt(path, "it is not a JSON object");
            }

            if (!root.TryGetProperty("schemaVersion", out var versionElement)
                || versionElement.ValueKind != JsonValueKind.Number
                || !versionElement.TryGetInt32(out var version)
                || version < 1)
            {
                throw ApiTokenErrors.Corrupt(path, "it has no valid schemaVersion");
            }

            if (version > CurrentVersion)
            {
                throw ApiTokenErrors.VersionUnsupported(path, version, CurrentVersion);
            }

            // A list that is absent would read as empty: a store that lost its tokens must not look like a new one.
            if (!root.TryGetProperty("tokens", out _) || !root.TryGetProperty("roles", out _))
            {
                throw ApiTokenErrors.Corrupt(path, "the roles or tokens list is missing");
            }

            StoreDocument? document;
            try
            {
                document = root.Deserialize(StoreJsonContext.Default.StoreDocument);
            }
            catch (JsonException e)
            {
                var where = e.Path is null ? "" : $" at {e.Path}";
                throw ApiTokenErrors.Corrupt(path, $"its content does not match the store schema{where}", e);
            }

            if (document is null)
            {
                throw ApiTokenErrors.Corrupt(path, "it is empty");
            }

            Check(document, path);
            return document;
        }
    }

    private static void Check(StoreDocument document, string path)
    {
        if (document.Roles is null || document.Tokens is null)
        {
            throw ApiTokenErrors.Corrupt(path, "the roles or tokens list is missing");
        }

        var ids = new HashSet<string>(StringComparer.Ordinal);
        foreach (var token in document.Tokens)
        {
            if (token is null
                || string.IsNullOrEmpty(token.Id)
                || string.IsNullOrEmpty(token.Name)
                || string.IsNullOrEmpty(token.Issuer)
                || token.Permissions is null
                || token.Hash is null
                || token.Hash.Length != 64
                || !token.Hash.All(Uri.IsHexDigit))
            {
                throw ApiTokenErrors.Corrupt(path, "a token record is incomplete");
            }

            if (!ids.Add(token.Id))
            {
                throw ApiTokenErrors.Corrupt(path, $"token id {token.Id} appears twice");
            }
        }

        if (document.Roles.Any(r => r is null || string.IsNullOrEmpty(r.User)))
        {
            throw ApiTokenErrors.Corrupt(path, "a role assignment is incomplete");
        }
    }
}
