using System;

namespace MdApiTokens.Core.ApiTokens;

/// <summary>A token as a user sees it: its record with the status computed now; never the value or its hash.</summary>
public sealed class ApiTokenInfo
{
    public ApiTokenInfo(ApiTokenRecord record, DateTimeOffset now, string storePath)
    {
        Id = record.Id;
        Name = record.Name;
        Issuer = record.Issuer;
        CreatedOn = record.CreatedOn;
        LastUsedOn = record.LastUsedOn;
        ExpiresOn = record.ExpiresOn;
        Permissions = RolePolicy.Normalize(record.Permissions);
        Hint = record.Hint;
        Status = ApiTokenStatusRules.Compute(record.LastUsedOn, record.ExpiresOn, now);
        StorePath = storePath;
    }

    public ApiTokenInfo(RevokedTokenRecord revoked, DateTimeOffset now, string storePath)
        : this(revoked.Token, now, storePath)
    {
        Status = ApiTokenStatus.Revoked;
        RevokedBy = revoked.RevokedBy;
        RevokedOn = revoked.RevokedOn;
    }

    public string Id { get; }

    public string Name { get; }

    public string Issuer { get; }

    public DateTimeOffset CreatedOn { get; }

    public DateTimeOffset? LastUsedOn { get; }

    public DateTimeOffset? ExpiresOn { get; }

    public ApiTokenPermission[] Permissions { get; }

    /// <summary>Prefix and last four characters of the value, to recognise it.</summary>
    public string Hint { get; }

    public ApiTokenStatus Status { get; }

    /// <summary>Who revoked the token, when it is revoked.</summary>
    public string? RevokedBy { get; }

    /// <summary>When the token was revoked, when it is.</summary>
    public DateTimeOffset? RevokedOn { get; }

    /// <summary>The store folder the token lives in, so piping it to another cmdlet reaches the same store.</summary>
    public string StorePath { get; }

    public override string ToString() => $"{Name} ({Id})";
}

/// <summary>A newly issued token. <see cref="Token"/> is the value, shown this once and stored nowhere.</summary>
public sealed class NewApiTokenResult
{
    internal NewApiTokenResult(ApiTokenRecord record, string token, Uri? url, string storePath)
    {
        Id = record.Id;
        Name = record.Name;
        Issuer = record.Issuer;
        Token = token;
        Permissions = RolePolicy.Normalize(record.Permissions);
        CreatedOn = record.CreatedOn;
        ExpiresOn = record.ExpiresOn;
        Hint = record.Hint;
        Url = url;
        StorePath = storePath;
    }

    public string Id { get; }

    public string Name { get; }

    public string Issuer { get; }

    /// <summary>The token value. Copy it now: it cannot be shown again.</summary>
    public string Token { get; }

    public ApiTokenPermission[] Permissions { get; }

    public DateTimeOffset CreatedOn { get; }

    public DateTimeOffset? ExpiresOn { get; }

    public string Hint { get; }

    /// <summary>The tenant portal URL to use with the token, when the store has one.</summary>
    public Uri? Url { get; }

    public string StorePath { get; }

    /// <summary>Name and id only: the value never appears in string conversions or logs.</summary>
    public override string ToString() => $"{Name} ({Id})";
}

/// <summary>Why a presented token did or did not validate.</summary>
public enum ApiTokenValidationReason
{
    Valid,
    Malformed,
    Unknown,
    Expired,
    MissingPermission,

    /// <summary>The value is that of a revoked token.</summary>
    Revoked,
}

/// <summary>The outcome of checking a presented token.</summary>
public sealed class ApiTokenValidationResult
{
    internal ApiTokenValidationResult(ApiTokenValidationReason reason, ApiTokenInfo? token, ApiTokenPermission? requiredPermission)
    {
        Reason = reason;
        Token = token;
        RequiredPermission = requiredPermission;
    }

    public bool IsValid => Reason == ApiTokenValidationReason.Valid;

    public ApiTokenValidationReason Reason { get; }

    /// <summary>The matching token's record, when the value matched one.</summary>
    public ApiTokenInfo? Token { get; }

    public ApiTokenPermission? RequiredPermission { get; }

    public override string ToString() => Token is null ? Reason.ToString() : $"{Reason}: {Token}";
}

/// <summary>A user's role in a store.</summary>
public sealed class RoleAssignment
{
    internal RoleAssignment(RoleRecord record, string storePath)
    {
        User = record.User;
        Role = record.Role;
        GrantedBy = record.GrantedBy;
        GrantedOn = record.GrantedOn;
        StorePath = storePath;
    }

    public string User { get; }

    public ApiTokenRole Role { get; }

    public string GrantedBy { get; }

    public DateTimeOffset GrantedOn { get; }

    public string StorePath { get; }

    public override string ToString() => $"{User}: {Role}";
}

/// <summary>Where a store is and what the caller may do in it.</summary>
public sealed class ApiTokenStoreInfo
{
    internal ApiTokenStoreInfo(ApiTokenStore store, StoreDocument document, string caller, ApiTokenRole? callerRole, int visibleTokens)
    {
        StorePath = store.DirectoryPath;
        FilePath = store.FilePath;
        AuditLogPath = store.AuditLogPath;
        SchemaVersion = document.SchemaVersion;
        CreatedOn = document.CreatedOn;
        CreatedBy = document.CreatedBy;
        TenantUrl = document.TenantUrl is null ? null : new Uri(document.TenantUrl);
        Caller = caller;
        CallerRole = callerRole;
        TokenCount = visibleTokens;
    }

    public string StorePath { get; }

    public string FilePath { get; }

    public string AuditLogPath { get; }

    public int SchemaVersion { get; }

    public DateTimeOffset CreatedOn { get; }

    public string CreatedBy { get; }

    public Uri? TenantUrl { get; }

    /// <summary>The account this session runs as.</summary>
    public string Caller { get; }

    /// <summary>The caller's role, or null when the caller has none.</summary>
    public ApiTokenRole? CallerRole { get; }

    /// <summary>How many tokens the caller can see.</summary>
    public int TokenCount { get; }

    public override string ToString() => StorePath;
}
