using System;
using System.Collections.Generic;
using System.Linq;

namespace MdApiTokens.Core.ApiTokens;

/// <summary>The stable error ids of API tokens and their store (scripts and tests match on them), and the exceptions that carry them.</summary>
public static class ApiTokenErrors
{
    public const string StoreNotFound = "ApiTokenStoreNotFound";
    public const string StorePathInvalid = "ApiTokenStorePathInvalid";
    public const string StoreCorrupt = "ApiTokenStoreCorrupt";
    public const string StoreVersionUnsupported = "ApiTokenStoreVersionUnsupported";
    public const string StoreLocked = "ApiTokenStoreLocked";
    public const string StoreAccessDenied = "ApiTokenStoreAccessDenied";
    public const string StoreReadFailed = "ApiTokenStoreReadFailed";
    public const string StoreWriteFailed = "ApiTokenStoreWriteFailed";
    public const string StoreExists = "ApiTokenStoreExists";
    public const string StoreUnsafe = "ApiTokenStoreUnsafe";
    public const string StoreTooLarge = "ApiTokenStoreTooLarge";
    public const string AuditLogWriteFailed = "ApiTokenAuditLogWriteFailed";
    public const string TenantUrlInvalid = "ApiTokenTenantUrlInvalid";

    public const string RoleMissing = "ApiTokenRoleMissing";
    public const string AdminRequired = "ApiTokenAdminRequired";
    public const string PermissionDenied = "ApiTokenPermissionDenied";
    public const string PermissionEmpty = "ApiTokenPermissionEmpty";
    public const string TokenNotFound = "ApiTokenNotFound";
    public const string NameInUse = "ApiTokenNameInUse";
    public const string NameInvalid = "ApiTokenNameInvalid";
    public const string ExpiryInvalid = "ApiTokenExpiryInvalid";
    public const string UserInvalid = "ApiTokenUserInvalid";
    public const string RoleAssignmentNotFound = "ApiTokenRoleAssignmentNotFound";
    public const string LastGlobalAdmin = "ApiTokenLastGlobalAdmin";

    private const string RecoverAdvice =
        "The file has not been changed. Restore it from a backup, or move it aside to start a new store.";

    internal static MdApiTokensException StoreMissing(string directory) => new(
        StoreNotFound,
        ErrorKind.ObjectNotFound,
        $"There is no API token store at '{directory}'.",
        directory,
        "Create one with Initialize-ApiTokenStore (or New-ApiToken, which creates it on first use), or point -StorePath or $env:MDAPITOKENS_STORE at an existing store.");

    internal static MdApiTokensException Corrupt(string path, string what, Exception? inner = null) => new(
        StoreCorrupt,
        ErrorKind.InvalidData,
        $"The API token store '{path}' cannot be read: {what}. {RecoverAdvice}",
        path,
        RecoverAdvice,
        inner);

    internal static MdApiTokensException VersionUnsupported(string path, int version, int supported) => new(
        StoreVersionUnsupported,
        ErrorKind.InvalidData,
        $"The API token store '{path}' has schema version {version}; this version of MdApiTokens reads version {supported}. The file has not been changed.",
        path,
        "Update the MdApiTokens module (Update-Module MdApiTokens) on this machine, or use the store from the machine that wrote it.");

    internal static MdApiTokensException PathInvalid(string path, string message, Exception? inner = null) => new(
        StorePathInvalid,
        ErrorKind.InvalidArgument,
        message,
        path,
        "Give -StorePath (or $env:MDAPITOKENS_STORE) a folder whose parent exists, such as (Join-Path $HOME 'tokens').",
        inner);

    internal static MdApiTokensException AccessDenied(string path, Exception inner) => new(
        StoreAccessDenied,
        ErrorKind.PermissionDenied,
        $"Access to the API token store '{path}' was denied: {inner.Message}",
        path,
        "Run as the account that owns the store, or ask its owner to share it with you.",
        inner);

    internal static MdApiTokensException ReadFailed(string path, Exception inner) => new(
        StoreReadFailed,
        ErrorKind.ReadError,
        $"Could not read the API token store '{path}': {inner.Message}",
        path,
        null,
        inner);

    internal static MdApiTokensException WriteFailed(string path, Exception inner) => new(
        StoreWriteFailed,
        ErrorKind.WriteError,
        $"Could not write the API token store '{path}': {inner.Message} The store is unchanged.",
        path,
        null,
        inner);

    internal static MdApiTokensException Locked(string lockPath, TimeSpan waited, Exception inner) => new(
        StoreLocked,
        ErrorKind.ResourceBusy,
        $"The API token store is locked by another process (waited {waited.TotalSeconds:0} s for '{lockPath}').",
        lockPath,
        "Wait for the other PowerShell session or runbook that is changing the store to finish, then try again.",
        inner);

    internal static MdApiTokensException AuditLogWriteFailedError(string path, Exception inner) => new(
        AuditLogWriteFailed,
        ErrorKind.WriteError,
        $"The change was not saved, because it could not be recorded in the audit log '{path}': {inner.Message}",
        path,
        "Check that the audit log is writable by this account and that the disk is not full.",
        inner);

    internal static MdApiTokensException UnsafeFile(string path, string message, string advice) => new(
        StoreUnsafe,
        ErrorKind.SecurityError,
        message,
        path,
        advice);

    internal static MdApiTokensException TooLarge(string path, long maxBytes) => new(
        StoreTooLarge,
        ErrorKind.LimitsExceeded,
        $"The API token store '{path}' is larger than {maxBytes / (1024 * 1024)} MiB, the most a store may be; it was not read. The file has not been changed.",
        path,
        "A store of 100,000 tokens is about 30 MiB: a larger file is not a store written by this module. Restore it from a backup, or move it aside to start a new store.");

    internal static MdApiTokensException Exists(string directory) => new(
        StoreExists,
        ErrorKind.ResourceExists,
        $"There is already an API token store at '{directory}'.",
        directory,
        "Use it as it is, change its tenant URL with Set-ApiTokenStore, or choose another -StorePath.");

    internal static MdApiTokensException NoRole(string caller, string directory, IEnumerable<string> admins) => new(
        RoleMissing,
        ErrorKind.PermissionDenied,
        $"'{caller}' has no role in the API token store '{directory}'.",
        caller,
        $"Ask a global admin of the store ({string.Join(", ", admins)}) to run: Grant-ApiTokenRole -User '{caller}' -Role SecurityReader");

    internal static MdApiTokensException NotAdmin(string caller, ApiTokenRole role, string action) => new(
        AdminRequired,
        ErrorKind.PermissionDenied,
        $"Only a global admin can {action}; '{caller}' is a {role}.",
        caller,
        "Ask a global admin of the store (see Get-ApiTokenRole) to do it.");

    internal static MdApiTokensException OnlyGlobalAdmin(string user) => new(
        LastGlobalAdmin,
        ErrorKind.InvalidOperation,
        $"'{user}' is the store's only global admin; a store must keep one.",
        user,
        "Make another user global admin first: Grant-ApiTokenRole -User <user> -Role GlobalAdmin");

    internal static MdApiTokensException NoRoleAssignment(string user, string directory) => new(
        RoleAssignmentNotFound,
        ErrorKind.ObjectNotFound,
        $"'{user}' has no role in the API token store '{directory}'.",
        user,
        "List who has which role with Get-ApiTokenRole.");

    internal static MdApiTokensException PermissionsDenied(ApiTokenRole role, ApiTokenPermission[] denied, IReadOnlyList<ApiTokenPermission> allowed)
    {
        var what = denied.All(RolePolicy.ChangesData) && !allowed.Any(RolePolicy.ChangesData)
            ? $"A {role} cannot issue a token that can change data"
            : $"A {role} cannot issue a token with these permissions";
        return new MdApiTokensException(
            PermissionDenied,
            ErrorKind.PermissionDenied,
            $"{what}: {string.Join(", ", denied)}. A token carries at most its issuer's permissions.",
            string.Join(",", denied),
            $"Ask only for permissions your role allows ({string.Join(", ", allowed)}), or ask a global admin for another role.");
    }

    internal static MdApiTokensException NoPermissions(string name) => new(
        PermissionEmpty,
        ErrorKind.InvalidArgument,
        "A token needs at least one permission.",
        name,
        "Leave out -Permission to give the token every permission your role allows.");

    internal static MdApiTokensException LifetimeInvalid(TimeSpan lifetime, TimeSpan min, TimeSpan max) => new(
        ExpiryInvalid,
        ErrorKind.InvalidArgument,
        $"A token's lifetime must be at least {min.TotalMinutes:0} minute and at most {max.TotalDays:0} days; {lifetime} was given.",
        lifetime,
        "Give -ExpiresIn a time span such as (New-TimeSpan -Days 90) or '90.00:00:00'. A bare number is read as ticks (100-nanosecond units), not days.");

    /// <summary>A token the caller asked for by <paramref name="key"/> ("id" or "name") and cannot see; another user's token is reported the same way.</summary>
    internal static MdApiTokensException NotFound(string directory, string key, string value) => new(
        TokenNotFound,
        ErrorKind.ObjectNotFound,
        $"There is no API token with {key} '{value}' that you can see in '{directory}'.",
        value,
        "List your tokens with Get-ApiToken.",
        scope: ErrorScope.Item);

    internal static MdApiTokensException NameTaken(string name) => new(
        NameInUse,
        ErrorKind.ResourceExists,
        $"You already have a token named '{name}'.",
        name,
        "Choose another name, or revoke the old token first (Revoke-ApiToken -Name '" + name + "').",
        scope: ErrorScope.Item);

    internal static MdApiTokensException BadName(string name, string problem) => new(
        NameInvalid,
        ErrorKind.InvalidArgument,
        problem,
        name,
        "Name the token after what will use it, for example 'siem-connector'.",
        scope: ErrorScope.Item);

    internal static MdApiTokensException BadUser(string user, string? why = null) => new(
        UserInvalid,
        ErrorKind.InvalidArgument,
        why ?? $"'{user}' is not a valid account name.",
        user,
        "Give the account as the operating system names it: DOMAIN\\user on Windows, the user name elsewhere.");

    internal static MdApiTokensException BadTenantUrl(Uri url) => new(
        TenantUrlInvalid,
        ErrorKind.InvalidArgument,
        $"The tenant URL must be an absolute https URL without credentials; '{url}' is not.",
        url.ToString(),
        "Give the portal URL shown in the portal's About page, for example https://contoso.portal.cloudappsecurity.com.");
}
