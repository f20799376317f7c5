namespace MdApiTokens.Core;

/// <summary>The stable error ids this library raises; scripts and tests match on them.</summary>
public static class ErrorIds
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
}
