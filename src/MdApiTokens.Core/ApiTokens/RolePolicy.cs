using System;
using System.Collections.Generic;
using System.Linq;

namespace MdApiTokens.Core.ApiTokens;

/// <summary>Which permissions each role may put in a token, and which permissions change data.</summary>
public static class RolePolicy
{
    private static readonly ApiTokenPermission[] s_all = (ApiTokenPermission[])Enum.GetValues(typeof(ApiTokenPermission));

    private static readonly ApiTokenPermission[] s_readOnly =
    {
        ApiTokenPermission.ReadActivities,
        ApiTokenPermission.ReadAlerts,
        ApiTokenPermission.ReadPolicyReports,
    };

    /// <summary>Every permission, in declaration order.</summary>
    public static IReadOnlyList<ApiTokenPermission> AllPermissions => s_all;

    /// <summary>The permissions a holder of <paramref name="role"/> may put in a token, in declaration order.</summary>
    public static IReadOnlyList<ApiTokenPermission> AllowedPermissions(ApiTokenRole role) => role switch
    {
        ApiTokenRole.GlobalAdmin => s_all,
        ApiTokenRole.SecurityOperator => s_all,
        ApiTokenRole.SecurityReader => s_readOnly,
        _ => Array.Empty<ApiTokenPermission>(),
    };

    /// <summary>True for permissions that change data (dismiss, resolve, upload, generate).</summary>
    public static bool ChangesData(ApiTokenPermission permission) => Array.IndexOf(s_readOnly, permission) < 0;

    /// <summary>True when the role may see and revoke every user's tokens and assign roles.</summary>
    public static bool AdministersStore(ApiTokenRole role) => role == ApiTokenRole.GlobalAdmin;

    /// <summary>The distinct permissions of <paramref name="permissions"/> in declaration order.</summary>
    public static ApiTokenPermission[] Normalize(IEnumerable<ApiTokenPermission> permissions) =>
        permissions.Distinct().OrderBy(p => p).ToArray();
}
