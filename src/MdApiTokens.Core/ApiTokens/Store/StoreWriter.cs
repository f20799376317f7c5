using System;
using System.Collections.Generic;
using System.IO;
using System.Text.Json;

namespace MdApiTokens.Core.ApiTokens;

/// <summary>
/// Writes a store document as compact JSON, by hand: the same properties, order, nulls and enum names as
/// <see cref="StoreJsonContext"/> writes (which reads it back), about three times faster than the generated metadata
/// path, which the enum-as-string members keep off its fast path. A change rewrites the whole document; each token's
/// JSON is kept with its record (<see cref="TokenJson"/>; a revoked token's too) and used again until a property of it
/// is set, and the result is the list of pieces (<see cref="StoreBytes"/>), so at 10,000 tokens a change neither
/// serialises nor joins the tokens it did not touch.
/// </summary>
internal static class StoreWriter
{
    private static readonly byte[] s_comma = { (byte)',' };
    private static readonly byte[] s_endArray = { (byte)']', (byte)',' };
    private static readonly byte[] s_endArrayAndDocument = { (byte)']', (byte)'}' };
    private static readonly byte[] s_endTokensStartRevoked = System.Text.Encoding.UTF8.GetBytes("],\"revoked\":[");

    private static readonly Dictionary<ApiTokenPermission, JsonEncodedText> s_permissions = Names<ApiTokenPermission>();
    private static readonly Dictionary<ApiTokenRole, JsonEncodedText> s_roles = Names<ApiTokenRole>();

    /// <summary>The document as UTF-8 JSON: its head up to the tokens array, each token, each revoked token, and the rest.</summary>
    public static StoreBytes Serialize(StoreDocument document)
    {
        var revoked = document.Revoked;
        var pieces = new StoreBytes.Builder(((document.Tokens.Count + (revoked?.Count ?? 0)) * 2) + 6);
        pieces.Add(Head(document));
        AddList(pieces, document.Tokens, TokenJson);
        if (revoked is not null)
        {
            pieces.Add(s_endTokensStartRevoked);
            AddList(pieces, revoked, RevokedJson);
        }

        // The rest is written as an object of its own, whose opening brace is dropped: after the last array it
        // continues the document's object ("]," and its members, or "]}" when it has none).
        var tail = Tail(document);
        if (tail.Count == 2)
        {
            pieces.Add(s_endArrayAndDocument);
        }
        else
        {
            pieces.Add(s_endArray);
            pieces.Add(new ArraySegment<byte>(tail.Array!, tail.Offset + 1, tail.Count - 1));
        }

        return pieces.Build();
    }

    /// <summary>
    /// One token record as compact JSON, exactly as it appears in the store file: the bytes kept with the record when no
    /// property was set since they were made, else newly serialised and kept. Records shared between threads may race
    /// here harmlessly: both make the same bytes.
    /// </summary>
    internal static byte[] TokenJson(ApiTokenRecord token) => token.Json ??= SerializeToken(token);

    // A revoked record's JSON, kept like a token's: while no property of it was set and its token's JSON is the one
    // it was made with.
    private static byte[] RevokedJson(RevokedTokenRecord record)
    {
        var token = TokenJson(record.Token);
        if (record.Json is { } kept && ReferenceEquals(kept.Token, token))
        {
            return kept.Record;
        }

        var json = Utf8(token.Length + 128, writer =>
        {
            writer.WriteStartObject();
            writer.WritePropertyName("token");
            writer.WriteRawValue(token, skipInputValidation: true);
            writer.WriteString("revokedBy", record.RevokedBy);
            writer.WriteString("revokedOn", record.RevokedOn);
            if (record.LastPresentedOn is { } presented)
            {
                writer.WriteString("lastPresentedOn", presented);
            }

            writer.WriteEndObject();
        }).AsSpan().ToArray();
        record.Json = new KeptRevokedJson(json, token);
        return json;
    }

    private static void AddList<T>(StoreBytes.Builder pieces, List<T> records, Func<T, byte[]> json)
    {
        for (var i = 0; i < records.Count; i++)
        {
            if (i > 0)
            {
                pieces.Add(s_comma);
            }

            pieces.Add(json(records[i]));
        }
    }

    private static byte[] SerializeToken(ApiTokenRecord token) => Utf8(400, writer => WriteToken(writer, token)).AsSpan().ToArray();

    // What write writes, as UTF-8 in the buffer it was written to (not copied).
    private static ArraySegment<byte> Utf8(int capacity, Action<Utf8JsonWriter> write)
    {
        var buffer = new MemoryStream(capacity);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            write(writer);
        }

        return new ArraySegment<byte>(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    // From the document's opening brace to the tokens array's opening bracket; the writer is left with both open.
    private static ArraySegment<byte> Head(StoreDocument document) =>
        Utf8(256 + (document.Roles.Count * 160), writer =>
        {
            writer.WriteStartObject();
            writer.WriteNumber("schemaVersion", document.SchemaVersion);
            writer.WriteString("createdOn", document.CreatedOn);
            writer.WriteString("createdBy", document.CreatedBy);
            writer.WriteString("tenantUrl", document.TenantUrl);
            writer.WriteStartArray("roles");
            foreach (var role in document.Roles)
            {
                writer.WriteStartObject();
                writer.WriteString("user", role.User);
                WriteName(writer, "role", role.Role, s_roles);
                writer.WriteString("grantedBy", role.GrantedBy);
                writer.WriteString("grantedOn", role.GrantedOn);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteStartArray("tokens");
        });

    // The members after the tokens and revoked arrays, as an object: "{}" when there are none.
    private static ArraySegment<byte> Tail(StoreDocument document) =>
        Utf8(128, writer =>
        {
            writer.WriteStartObject();
            if (document.Audit is { } audit)
            {
                writer.WriteStartObject("audit");
                writer.WriteNumber("sequence", audit.Sequence);
                writer.WriteString("time", audit.Time);
                writer.WriteNumber("length", audit.Length);
                writer.WriteEndObject();
            }

            writer.WriteEndObject();
        });

    private static void WriteToken(Utf8JsonWriter writer, ApiTokenRecord token)
    {
        writer.WriteStartObject();
        writer.WriteString("id", token.Id);
        writer.WriteString("name", token.Name);
        writer.WriteString("issuer", token.Issuer);
        writer.WriteString("createdOn", token.CreatedOn);
        WriteTime(writer, "lastUsedOn", token.LastUsedOn);
        WriteTime(writer, "expiresOn", token.ExpiresOn);
        writer.WriteStartArray("permissions");
        foreach (var permission in token.Permissions)
        {
            WriteName(writer, null, permission, s_permissions);
        }

        writer.WriteEndArray();
        writer.WriteString("hint", token.Hint);
        writer.WriteString("sha256", token.Hash);
        writer.WriteEndObject();
    }

    private static void WriteTime(Utf8JsonWriter writer, string name, DateTimeOffset? time)
    {
        if (time is { } value)
        {
            writer.WriteString(name, value);
        }
        else
        {
            writer.WriteNull(name);
        }
    }

    // A named value as its name; any other (a number a hand edit put there) as the number, as the generated writer does.
    private static void WriteName<T>(Utf8JsonWriter writer, string? property, T value, Dictionary<T, JsonEncodedText> names)
        where T : struct, Enum
    {
        if (property is not null)
        {
            writer.WritePropertyName(property);
        }

        if (names.TryGetValue(value, out var name))
        {
            writer.WriteStringValue(name);
        }
        else
        {
            writer.WriteNumberValue(Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture));
        }
    }

    private static Dictionary<T, JsonEncodedText> Names<T>()
        where T : struct, Enum
    {
        var names = new Dictionary<T, JsonEncodedText>();
        foreach (T value in Enum.GetValues(typeof(T)))
        {
            names[value] = JsonEncodedText.Encode(value.ToString());
        }

        return names;
    }
}

/// <summary>A revoked record's JSON and the token JSON it was made with (one object, so threads never see half of it).</summary>
internal sealed class KeptRevokedJson
{
    public KeptRevokedJson(byte[] record, byte[] token)
    {
        Record = record;
        Token = token;
    }

    public byte[] Record { get; }

    public byte[] Token { get; }
}
