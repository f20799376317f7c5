using System;
using System.Collections.Generic;
using System.IO;
using System.Text.Json;

namespace MdApiTokens.Core.ApiTokens;

/// <summary>
/// Writes a store document as compact JSON, by hand: the same properties, order, nulls and enum names as
/// <see cref="StoreJsonContext"/> writes (which reads it back), about three times faster than the generated metadata
/// path, which the enum-as-string members keep off its fast path. A change rewrites the whole document, so at
/// 10,000 tokens this is most of a change's time.
/// </summary>
internal static class StoreWriter
{
    private static readonly Dictionary<ApiTokenPermission, JsonEncodedText> s_permissions = Names<ApiTokenPermission>();
    private static readonly Dictionary<ApiTokenRole, JsonEncodedText> s_roles = Names<ApiTokenRole>();

    /// <summary>The document as UTF-8 JSON, in a buffer of its own (not copied to an exact-size array: at 10,000 tokens it is megabytes).</summary>
    public static ArraySegment<byte> Serialize(StoreDocument document)
    {
        using var buffer = new MemoryStream(256 + (document.Tokens.Count * 400));
        using (var writer = new Utf8JsonWriter(buffer))
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
            foreach (var token in document.Tokens)
            {
                WriteToken(writer, token);
            }

            writer.WriteEndArray();
            if (document.Revoked is { } revoked)
            {
                writer.WriteStartArray("revoked");
                foreach (var record in revoked)
                {
                    writer.WriteStartObject();
                    writer.WritePropertyName("token");
                    WriteToken(writer, record.Token);
                    writer.WriteString("revokedBy", record.RevokedBy);
                    writer.WriteString("revokedOn", record.RevokedOn);
                    if (record.LastPresentedOn is { } presented)
                    {
                        writer.WriteString("lastPresentedOn", presented);
                    }

                    writer.WriteEndObject();
                }

                writer.WriteEndArray();
            }

            if (document.Audit is { } audit)
            {
                writer.WriteStartObject("audit");
                writer.WriteNumber("sequence", audit.Sequence);
                writer.WriteString("time", audit.Time);
                writer.WriteNumber("length", audit.Length);
                writer.WriteEndObject();
            }

            writer.WriteEndObject();
        }

        return new ArraySegment<byte>(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

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
