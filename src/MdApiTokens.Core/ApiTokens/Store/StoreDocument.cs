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
    // Every setter drops the JSON kept for this record (StoreWriter reuses it), so a changed record is serialised again.
    private string _id = "";
    private string _name = "";
    private string _issuer = "";
    private DateTimeOffset _createdOn;
    private DateTimeOffset? _lastUsedOn;
    private DateTimeOffset? _expiresOn;
    private IReadOnlyList<ApiTokenPermission> _permissions = Array.Empty<ApiTokenPermission>();
    private string _hint = "";
    private string _hash = "";

    [JsonPropertyName("id")]
    public string Id { get => _id; set => Changed(_id = value); }

    [JsonPropertyName("name")]
    public string Name { get => _name; set => Changed(_name = value); }

    [JsonPropertyName("issuer")]
    public string Issuer { get => _issuer; set => Changed(_issuer = value); }

    [JsonPropertyName("createdOn")]
    public DateTimeOffset CreatedOn { get => _createdOn; set => Changed(_createdOn = value); }

    [JsonPropertyName("lastUsedOn")]
    public DateTimeOffset? LastUsedOn { get => _lastUsedOn; set => Changed(_lastUsedOn = value); }

    [JsonPropertyName("expiresOn")]
    public DateTimeOffset? ExpiresOn { get => _expiresOn; set => Changed(_expiresOn = value); }

    /// <summary>The permissions: read-only, so a change is a new list, set here (and seen by the store's writer).</summary>
    [JsonPropertyName("permissions")]
    public IReadOnlyList<ApiTokenPermission> Permissions { get => _permissions; set => Changed(_permissions = value); }

    /// <summary>Prefix and last four characters of the value.</summary>
    [JsonPropertyName("hint")]
    public string Hint { get => _hint; set => Changed(_hint = value); }

    /// <summary>Lowercase hex SHA-256 of the value.</summary>
    [JsonPropertyName("sha256")]
    public string Hash { get => _hash; set => Changed(_hash = value); }

    // This record's JSON as last written, reused by StoreWriter until a property is set.
    internal byte[]? Json { get; set; }

    private void Changed<T>(T _) => Json = null;
}

/// <summary>A revoked token: its record as it was, who revoked it and when, and when it was last presented since.</summary>
public sealed class RevokedTokenRecord
{
    // As for ApiTokenRecord: every setter drops the JSON kept for this record; a change to the token's own record is
    // seen because the kept JSON remembers the token bytes it was made with.
    private ApiTokenRecord _token = new();
    private string _revokedBy = "";
    private DateTimeOffset _revokedOn;
    private DateTimeOffset? _lastPresentedOn;

    [JsonPropertyName("token")]
    public ApiTokenRecord Token { get => _token; set => Changed(_token = value); }

    [JsonPropertyName("revokedBy")]
    public string RevokedBy { get => _revokedBy; set => Changed(_revokedBy = value); }

    [JsonPropertyName("revokedOn")]
    public DateTimeOffset RevokedOn { get => _revokedOn; set => Changed(_revokedOn = value); }

    /// <summary>When it was last presented to a check and audited (at most once an hour).</summary>
    [JsonPropertyName("lastPresentedOn")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public DateTimeOffset? LastPresentedOn { get => _lastPresentedOn; set => Changed(_lastPresentedOn = value); }

    // This record's JSON as last written and the token JSON inside it, reused by StoreWriter while both still hold.
    internal KeptRevokedJson? Json { get; set; }

    private void Changed<T>(T _) => Json = null;
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
