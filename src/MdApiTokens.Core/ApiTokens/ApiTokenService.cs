using System;
using System.Collections.Generic;
using System.Linq;
using System.Security.Cryptography;
using MdApiTokens.Core.Store;

namespace MdApiTokens.Core.ApiTokens;

/// <summary>Which tokens a listing returns; every criterion given must hold.</summary>
public sealed class ApiTokenQuery
{
    /// <summary>Keeps tokens whose name this accepts (the module passes wildcard matching).</summary>
    public Func<string, bool>? NameFilter { get; set; }

    /// <summary>Keeps tokens with one of these ids.</summary>
    public IReadOnlyCollection<string>? Ids { get; set; }

    /// <summary>Keeps tokens whose status, computed now, is this.</summary>
    public ApiTokenStatus? Status { get; set; }
}

/// <summary>
/// The token table's operations on behalf of one caller: issue, list, revoke, roles and the audit log, with the
/// visibility and permission rules of the caller's role. Validation of presented tokens is <see cref="ApiTokenValidator"/>.
/// </summary>
public sealed class ApiTokenService
{
    /// <summary>The longest lifetime a token may be given.</summary>
    public static readonly TimeSpan MaxLifetime = TimeSpan.FromDays(3650);

    /// <summary>
    /// The shortest lifetime a token may be given. PowerShell reads a bare number given for a TimeSpan as ticks, so
    /// <c>-ExpiresIn 90</c> would otherwise issue a token that expires nine microseconds later.
    /// </summary>
    public static readonly TimeSpan MinLifetime = TimeSpan.FromMinutes(1);

    public const int MaxNameLength = 128;

    private static readonly char[] s_wildcardCharacters = { '*', '?', '[', ']' };

    private readonly IClock _clock;
    private readonly RandomNumberGenerator _random;

    public ApiTokenService(ApiTokenStore store, IClock clock, string caller, RandomNumberGenerator? random = null)
    {
        Store = store ?? throw new ArgumentNullException(nameof(store));
        _clock = clock ?? throw new ArgumentNullException(nameof(clock));
        Caller = string.IsNullOrEmpty(caller) ? throw new ArgumentException("The caller is required.", nameof(caller)) : caller;
        _random = random ?? RandomNumberGenerator.Create();
    }

    public ApiTokenStore Store { get; }

    /// <summary>The account the operations are performed as.</summary>
    public string Caller { get; }

    /// <summary>Creates the store with the caller as its global admin.</summary>
    public ApiTokenStoreInfo Initialize(Uri? tenantUrl)
    {
        var url = CheckTenantUrl(tenantUrl);
        return Store.Update(
            tx =>
            {
                if (!tx.IsNew)
                {
                    throw new MdApiTokensException(
                        ErrorIds.StoreExists,
                        ErrorKind.ResourceExists,
                        $"There is already an API token store at '{Store.DirectoryPath}'.",
                        Store.DirectoryPath,
                        "Use it as it is, change its tenant URL with Set-ApiTokenStore, or choose another -StorePath.");
                }

                tx.Document.TenantUrl = url;
                AuditStoreCreated(tx);
                return Info(tx.Document);
            },
            NewDocument);
    }

    public ApiTokenStoreInfo GetStoreInfo() => Info(Store.Read());

    /// <summary>Sets (or with null clears) the tenant portal URL handed out with new tokens. Global admins only.</summary>
    public ApiTokenStoreInfo SetTenantUrl(Uri? tenantUrl)
    {
        var url = CheckTenantUrl(tenantUrl);
        return Store.Update(tx =>
        {
            RequireAdmin(tx.Document, "change the store's tenant URL");
            tx.Document.TenantUrl = url;
            tx.Audit(new AuditEntry
            {
                Time = _clock.UtcNow,
                Actor = Caller,
                Action = AuditAction.StoreUpdated,
                Details = url is null ? "tenantUrl cleared" : "tenantUrl=" + url,
            });
            return Info(tx.Document);
        });
    }

    /// <summary>
    /// Issues a token named <paramref name="name"/> carrying <paramref name="permissions"/> (by default every
    /// permission the caller's role allows). The value is in the result only; the store keeps its hash. A missing
    /// store is created with the caller as global admin.
    /// </summary>
    public NewApiTokenResult Issue(string name, IEnumerable<ApiTokenPermission>? permissions = null, TimeSpan? expiresIn = null)
    {
        CheckName(name);
        var requested = permissions is null ? null : RolePolicy.Normalize(permissions);
        if (requested is { Length: 0 })
        {
            throw new MdApiTokensException(ErrorIds.PermissionEmpty, ErrorKind.InvalidArgument,
                "A token needs at least one permission.", name, "Leave out -Permission to give the token every permission your role allows.");
        }

        if (expiresIn is { } lifetime && (lifetime < MinLifetime || lifetime > MaxLifetime))
        {
            throw new MdApiTokensException(ErrorIds.ExpiryInvalid, ErrorKind.InvalidArgument,
                $"A token's lifetime must be at least {MinLifetime.TotalMinutes:0} minute and at most {MaxLifetime.TotalDays:0} days; {lifetime} was given.",
                lifetime,
                "Give -ExpiresIn a time span such as (New-TimeSpan -Days 90) or '90.00:00:00'. A bare number is read as ticks (100-nanosecond units), not days.");
        }

        var value = ApiTokenValue.Generate(_random);
        var hash = ApiTokenValue.ComputeHash(value);
        var hint = ApiTokenValue.Hint(value);

        return Store.Update(
            tx =>
            {
                var document = tx.Document;
                var role = RequireRole(document);
                var allowed = RolePolicy.AllowedPermissions(role);
                var granted = requested ?? allowed.ToArray();
                var denied = granted.Where(p => !allowed.Contains(p)).ToArray();
                if (denied.Length > 0)
                {
                    throw PermissionDenied(role, denied, allowed);
                }

                if (document.Tokens.Any(t => CallerIdentity.Comparer.Equals(t.Issuer, Caller) && string.Equals(t.Name, name, StringComparison.OrdinalIgnoreCase)))
                {
                    throw new MdApiTokensException(ErrorIds.NameInUse, ErrorKind.ResourceExists,
                        $"You already have a token named '{name}'.", name,
                        "Choose another name, or revoke the old token first (Revoke-ApiToken -Name '" + name + "').", scope: ErrorScope.Item);
                }

                var now = _clock.UtcNow;
                var record = new ApiTokenRecord
                {
                    Id = NewId(document),
                    Name = name,
                    Issuer = Caller,
                    CreatedOn = now,
                    ExpiresOn = expiresIn is { } span ? now + span : null,
                    Permissions = granted.ToList(),
                    Hint = hint,
                    Hash = hash,
                };
                document.Tokens.Add(record);
                if (tx.IsNew)
                {
                    AuditStoreCreated(tx);
                }

                tx.Audit(new AuditEntry
                {
                    Time = now,
                    Actor = Caller,
                    Action = AuditAction.TokenIssued,
                    TokenId = record.Id,
                    TokenName = record.Name,
                    Details = "permissions=" + string.Join(",", granted) + (record.ExpiresOn is { } e ? "; expiresOn=" + e.ToString("o") : ""),
                });
                return new NewApiTokenResult(record, value, document.TenantUrl is null ? null : new Uri(document.TenantUrl), Store.DirectoryPath);
            },
            NewDocument);
    }

    /// <summary>The tokens the caller may see (all of them for a global admin, else their own) that match <paramref name="query"/>, oldest first.</summary>
    public IReadOnlyList<ApiTokenInfo> List(ApiTokenQuery? query = null)
    {
        var document = Store.Read();
        var role = RequireRole(document);
        var now = _clock.UtcNow;
        var ids = query?.Ids is { } given ? new HashSet<string>(given, StringComparer.OrdinalIgnoreCase) : null;
        return document.Tokens
            .Where(t => CanSee(role, t))
            .Where(t => ids is null || ids.Contains(t.Id))
            .Where(t => query?.NameFilter is null || query.NameFilter(t.Name))
            .Select(t => new ApiTokenInfo(t, now, Store.DirectoryPath))
            .Where(t => query?.Status is null || t.Status == query.Status)
            .OrderBy(t => t.CreatedOn) // stable: tokens issued in the same instant keep their issue order
            .ToList();
    }

    /// <summary>Removes the token with <paramref name="id"/>; it stops validating at once. Non-admins may revoke only their own tokens.</summary>
    public ApiTokenInfo Revoke(string id)
    {
        return Store.Update(tx =>
        {
            var role = RequireRole(tx.Document);
            var record = tx.Document.Tokens.FirstOrDefault(t => string.Equals(t.Id, id, StringComparison.OrdinalIgnoreCase));

            // Another user's token is reported as missing, not forbidden: its existence is not the caller's business.
            if (record is null || !CanSee(role, record))
            {
                throw TokenNotFound("id", id);
            }

            tx.Document.Tokens.Remove(record);
            tx.Audit(new AuditEntry
            {
                Time = _clock.UtcNow,
                Actor = Caller,
                Action = AuditAction.TokenRevoked,
                TokenId = record.Id,
                TokenName = record.Name,
                Details = CallerIdentity.Comparer.Equals(record.Issuer, Caller) ? null : "issuer=" + record.Issuer,
            });
            return new ApiTokenInfo(record, _clock.UtcNow, Store.DirectoryPath);
        });
    }

    /// <summary>Gives <paramref name="user"/> <paramref name="role"/> (replacing any role they had). Global admins only.</summary>
    public RoleAssignment GrantRole(string user, ApiTokenRole role)
    {
        CheckUser(user);
        return Store.Update(tx =>
        {
            RequireAdmin(tx.Document, "assign roles");
            var roles = tx.Document.Roles;
            var existing = roles.FirstOrDefault(r => CallerIdentity.Comparer.Equals(r.User, user));
            if (existing is not null && existing.Role == ApiTokenRole.GlobalAdmin && role != ApiTokenRole.GlobalAdmin)
            {
                EnsureAnotherAdmin(roles, existing);
            }

            var record = existing ?? new RoleRecord { User = user };
            record.Role = role;
            record.GrantedBy = Caller;
            record.GrantedOn = _clock.UtcNow;
            if (existing is null)
            {
                roles.Add(record);
            }

            tx.Audit(new AuditEntry { Time = record.GrantedOn, Actor = Caller, Action = AuditAction.RoleGranted, User = user, Role = role });
            return new RoleAssignment(record, Store.DirectoryPath);
        });
    }

    /// <summary>Takes away <paramref name="user"/>'s role; their tokens then carry no permissions. Global admins only; the last global admin stays.</summary>
    public RoleAssignment RevokeRole(string user)
    {
        CheckUser(user);
        return Store.Update(tx =>
        {
            RequireAdmin(tx.Document, "remove roles");
            var roles = tx.Document.Roles;
            var existing = roles.FirstOrDefault(r => CallerIdentity.Comparer.Equals(r.User, user))
                ?? throw new MdApiTokensException(ErrorIds.RoleAssignmentNotFound, ErrorKind.ObjectNotFound,
                    $"'{user}' has no role in the API token store '{Store.DirectoryPath}'.", user,
                    "List who has which role with Get-ApiTokenRole.");
            if (existing.Role == ApiTokenRole.GlobalAdmin)
            {
                EnsureAnotherAdmin(roles, existing);
            }

            roles.Remove(existing);
            tx.Audit(new AuditEntry { Time = _clock.UtcNow, Actor = Caller, Action = AuditAction.RoleRevoked, User = existing.User, Role = existing.Role });
            return new RoleAssignment(existing, Store.DirectoryPath);
        });
    }

    /// <summary>Who has which role.</summary>
    public IReadOnlyList<RoleAssignment> ListRoles()
    {
        var document = Store.Read();
        return document.Roles
            .OrderBy(r => r.Role)
            .ThenBy(r => r.User, StringComparer.OrdinalIgnoreCase)
            .Select(r => new RoleAssignment(r, Store.DirectoryPath))
            .ToList();
    }

    /// <summary>The audit log: every entry for a global admin, else the caller's own.</summary>
    public IReadOnlyList<AuditEntry> ReadAuditLog(out int unreadableLines)
    {
        var document = Store.Read();
        var role = RequireRole(document);
        var entries = Store.ReadAuditLog(out unreadableLines);
        return RolePolicy.AdministersStore(role)
            ? entries
            : entries.Where(e => CallerIdentity.Comparer.Equals(e.Actor, Caller)).ToList();
    }

    /// <summary>The caller's role in <paramref name="document"/>, or null.</summary>
    public ApiTokenRole? RoleOf(StoreDocument document, string user) =>
        document.Roles.FirstOrDefault(r => CallerIdentity.Comparer.Equals(r.User, user))?.Role;

    private StoreDocument NewDocument() => new()
    {
        SchemaVersion = ApiTokenStore.CurrentSchemaVersion,
        CreatedOn = _clock.UtcNow,
        CreatedBy = Caller,
        Roles = { new RoleRecord { User = Caller, Role = ApiTokenRole.GlobalAdmin, GrantedBy = Caller, GrantedOn = _clock.UtcNow } },
    };

    private void AuditStoreCreated(StoreTransaction tx)
    {
        tx.Audit(new AuditEntry { Time = _clock.UtcNow, Actor = Caller, Action = AuditAction.StoreInitialized, Details = tx.Document.TenantUrl });
        tx.Audit(new AuditEntry { Time = _clock.UtcNow, Actor = Caller, Action = AuditAction.RoleGranted, User = Caller, Role = ApiTokenRole.GlobalAdmin });
    }

    private ApiTokenStoreInfo Info(StoreDocument document)
    {
        var role = RoleOf(document, Caller);
        var visible = role is { } r ? document.Tokens.Count(t => CanSee(r, t)) : 0;
        return new ApiTokenStoreInfo(Store, document, Caller, role, visible);
    }

    private bool CanSee(ApiTokenRole role, ApiTokenRecord token) =>
        RolePolicy.AdministersStore(role) || CallerIdentity.Comparer.Equals(token.Issuer, Caller);

    private ApiTokenRole RequireRole(StoreDocument document)
    {
        if (RoleOf(document, Caller) is { } role)
        {
            return role;
        }

        var admins = string.Join(", ", document.Roles.Where(r => r.Role == ApiTokenRole.GlobalAdmin).Select(r => r.User));
        throw new MdApiTokensException(
            ErrorIds.RoleMissing,
            ErrorKind.PermissionDenied,
            $"'{Caller}' has no role in the API token store '{Store.DirectoryPath}'.",
            Caller,
            $"Ask a global admin of the store ({admins}) to run: Grant-ApiTokenRole -User '{Caller}' -Role SecurityReader");
    }

    private void RequireAdmin(StoreDocument document, string action)
    {
        var role = RequireRole(document);
        if (!RolePolicy.AdministersStore(role))
        {
            throw new MdApiTokensException(
                ErrorIds.AdminRequired,
                ErrorKind.PermissionDenied,
                $"Only a global admin can {action}; '{Caller}' is a {role}.",
                Caller,
                "Ask a global admin of the store (see Get-ApiTokenRole) to do it.");
        }
    }

    private void EnsureAnotherAdmin(List<RoleRecord> roles, RoleRecord leaving)
    {
        if (!roles.Any(r => r != leaving && r.Role == ApiTokenRole.GlobalAdmin))
        {
            throw new MdApiTokensException(
                ErrorIds.LastGlobalAdmin,
                ErrorKind.InvalidOperation,
                $"'{leaving.User}' is the store's only global admin; a store must keep one.",
                leaving.User,
                "Make another user global admin first: Grant-ApiTokenRole -User <user> -Role GlobalAdmin");
        }
    }

    private static MdApiTokensException PermissionDenied(ApiTokenRole role, ApiTokenPermission[] denied, IReadOnlyList<ApiTokenPermission> allowed)
    {
        var what = denied.All(RolePolicy.ChangesData) && !allowed.Any(RolePolicy.ChangesData)
            ? $"A {role} cannot issue a token that can change data"
            : $"A {role} cannot issue a token with these permissions";
        return new MdApiTokensException(
            ErrorIds.PermissionDenied,
            ErrorKind.PermissionDenied,
            $"{what}: {string.Join(", ", denied)}. A token carries at most its issuer's permissions.",
            string.Join(",", denied),
            $"Ask only for permissions your role allows ({string.Join(", ", allowed)}), or ask a global admin for another role.");
    }

    /// <summary>The error for a token the caller asked for by <paramref name="key"/> ("id" or "name") and cannot see; another user's token is reported the same way.</summary>
    public MdApiTokensException TokenNotFound(string key, string value) => new(
        ErrorIds.TokenNotFound,
        ErrorKind.ObjectNotFound,
        $"There is no API token with {key} '{value}' that you can see in '{Store.DirectoryPath}'.",
        value,
        "List your tokens with Get-ApiToken.",
        scope: ErrorScope.Item);

    private string NewId(StoreDocument document)
    {
        var bytes = new byte[8];
        while (true)
        {
            _random.GetBytes(bytes);
            var id = string.Concat(bytes.Select(b => b.ToString("x2", System.Globalization.CultureInfo.InvariantCulture)));
            if (!document.Tokens.Any(t => string.Equals(t.Id, id, StringComparison.OrdinalIgnoreCase)))
            {
                return id;
            }
        }
    }

    private static void CheckName(string name)
    {
        string? problem = null;
        if (string.IsNullOrWhiteSpace(name))
        {
            problem = "A token name cannot be empty.";
        }
        else if (name.Length > MaxNameLength)
        {
            problem = $"A token name can have at most {MaxNameLength} characters.";
        }
        else if (name.Any(char.IsControl))
        {
            problem = "A token name cannot contain control characters.";
        }
        else if (name.IndexOfAny(s_wildcardCharacters) >= 0)
        {
            problem = "A token name cannot contain the wildcard characters * ? [ ].";
        }
        else if (name.Trim().Length != name.Length)
        {
            problem = "A token name cannot start or end with spaces.";
        }

        if (problem is not null)
        {
            throw new MdApiTokensException(ErrorIds.NameInvalid, ErrorKind.InvalidArgument, problem, name,
                "Name the token after what will use it, for example 'siem-connector'.", scope: ErrorScope.Item);
        }
    }

    private static void CheckUser(string user)
    {
        if (string.IsNullOrWhiteSpace(user) || user.Length > 256 || user.Any(char.IsControl) || user.Trim().Length != user.Length)
        {
            throw new MdApiTokensException(ErrorIds.UserInvalid, ErrorKind.InvalidArgument,
                $"'{user}' is not a valid account name.", user,
                "Give the account as the operating system names it: DOMAIN\\user on Windows, the user name elsewhere.");
        }
    }

    private static string? CheckTenantUrl(Uri? url)
    {
        if (url is null)
        {
            return null;
        }

        if (!url.IsAbsoluteUri || url.Scheme != Uri.UriSchemeHttps || !string.IsNullOrEmpty(url.UserInfo))
        {
            throw new MdApiTokensException(ErrorIds.TenantUrlInvalid, ErrorKind.InvalidArgument,
                $"The tenant URL must be an absolute https URL without credentials; '{url}' is not.", url.ToString(),
                "Give the portal URL shown in the portal's About page, for example https://contoso.portal.cloudappsecurity.com.");
        }

        return url.AbsoluteUri;
    }
}
