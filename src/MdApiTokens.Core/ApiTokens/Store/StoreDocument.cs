using System;
using System.Collections.Generic;
using System.Text.Json.Serialization;

namespace MdApiTokens.Core.ApiTokens;

/// <summary>The store file's content (schema version 1). Holds hashes of token values, never the values.</summary>
public sealed class StoreDocument
{
    [JsonPropertyName("schemaVersion")]
    public int SchemaVersion { get; set; }

    [JsonPropertyName("createdOn")]
    public DateTimeOffset CreatedOn { get; set; }

    [JsonPropertyName("createdBy")]
    public string CreatedBy { get; set; } = "";

    /// <summary>The tenant portal URL handed out with new tokens, if the store has one.</summary>
    [JsonPropertyName("tenantUrl")]
    public string? TenantUrl { get; set; }

    [JsonPropertyName("roles")]
    public List<RoleRecord> Roles { get; set; } = new();

    [JsonPropertyName("tokens")]
    public List<ApiTokenRecord> Tokens { get; set; } = new();

    /// <summary>Revoked tokens, kept so a revoked token presented again is recognised (and audited) rather than unknown.</summary>
    [JsonPropertyName("revoked")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public List<RevokedTokenRecord>? Revoked { get; set; }

    /// <summary>Where the audit log stood when this document was written; entries numbered past it belong to a change that never committed.</summary>
    [JsonPropertyName("audit")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public AuditState? Audit { get; set; }
}

/// <summary>The audit log's committed end: the last sequence number, its time, and the log's length in bytes.</summary>
public sealed class AuditState
{
    [JsonPropertyName("sequence")]
    public long Sequence { get; set; }

    [JsonPropertyName("time")]
    public DateTimeOffset Time { get; set; }

    [JsonPropertyName("length")]
    public long Length { get; set; }
}

/// <summary>One user's role in the store.</summary>
public sealed class RoleRecord
{
    [JsonPropertyName("user")]
    public string User { get; set; } = "";

    [JsonPropertyName("role")]
    public ApiTokenRole Role { get; set; }

    [JsonPropertyName("grantedBy")]
    public string GrantedBy { get; set; } = "";

    [JsonPropertyName("grantedOn")]
    public DateTimeOffset GrantedOn { get; set; }
}

/// <summary>A token as stored: its metadata and the SHA-256 of its value.</summary>
public sealed class ApiTokenRecord
{
    [JsonPropertyName("id")]
    public string Id { get; set; } = "";

    [JsonPropertyName("name")]
    public string Name { get; set; } = "";

    [JsonPropertyName("issuer")]
    public string Issuer { get; set; } = "";

    [JsonPropertyName("createdOn")]
    public DateTimeOffset CreatedOn { get; set; }

    [JsonPropertyName("lastUsedOn")]
    public DateTimeOffset? LastUsedOn { get; set; }

    [JsonPropertyName("expiresOn")]
    public DateTimeOffset? ExpiresOn { get; set; }

    [JsonPropertyName("permissions")]
    public List<ApiTokenPermission> Permissions { get; set; } = new();

    /// <summary>Prefix and last four characters of the value.</summary>
    [JsonPropertyName("hint")]
    public string Hint { get; set; } = "";

    /// <summary>Lowercase hex SHA-256 of the value.</summary>
    [JsonPropertyName("sha256")]
    public string Hash { get; set; } = "";
}

/// <summary>A revoked token: its record as it was, who revoked it and when, and when it was last presented since.</summary>
public sealed class RevokedTokenRecord
{
    [JsonPropertyName("token")]
    public ApiTokenRecord Token { get; set; } = new();

    [JsonPropertyName("revokedBy")]
    public string RevokedBy { get; set; } = "";

    [JsonPropertyName("revokedOn")]
    public DateTimeOffset RevokedOn { get; set; }

    /// <summary>When it was last presented to a check and audited (at most once an hour).</summary>
    [JsonPropertyName("lastPresentedOn")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public DateTimeOffset? LastPresentedOn { get; set; }
}

/// <summary>One line of the audit log: who did what, when. Never a token value.</summary>
public sealed class AuditEntry
{
    /// <summary>The entry's place in the log: 1, 2, 3 ... with no gaps, so an export can resume after the last one it read.</summary>
    [JsonPropertyName("seq")]
    public long Sequence { get; set; }

    [JsonPropertyName("time")]
    public DateTimeOffset Time { get; set; }

    [JsonPropertyName("actor")]
    public string Actor { get; set; } = "";

    [JsonPropertyName("action")]
    public AuditAction Action { get; set; }

    [JsonPropertyName("tokenId")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? TokenId { get; set; }

    [JsonPropertyName("tokenName")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? TokenName { get; set; }

    [JsonPropertyName("user")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? User { get; set; }

    [JsonPropertyName("role")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public ApiTokenRole? Role { get; set; }

    [JsonPropertyName("details")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Details { get; set; }

    public override string ToString() => $"{Time:u} {Actor} {Action} {TokenName ?? User}";
}

/// <summary>The changes the audit log records.</summary>
public enum AuditAction
{
    StoreInitialized,
    StoreUpdated,
    TokenIssued,
    TokenRevoked,
    RoleGranted,
    RoleRevoked,

    /// <summary>A revoked token was presented to a check (recorded at most once an hour per token).</summary>
    RevokedTokenPresented,
}

[JsonSourceGenerationOptions(
    WriteIndented = false,
    UseStringEnumConverter = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(StoreDocument))]
[JsonSerializable(typeof(AuditEntry))]
internal sealed partial class StoreJsonContext : JsonSerializerContext
{
}
