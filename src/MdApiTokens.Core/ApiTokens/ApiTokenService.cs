using System;
using System.Collections.Generic;
using System.Linq;
using System.Security.Cryptography;
using MdApiTokens.Core.Store;

namespace MdApiTokens.Core.ApiTokens;

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
        var url = ApiTokenInputs.CheckTenantUrl(tenantUrl);
        return Store.Update(
            tx =>
            {
                if (!tx.IsNew)
                {
                    throw ApiTokenErrors.Exists(Store.DirectoryPath);
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
        var url = ApiTokenInputs.CheckTenantUrl(tenantUrl);
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
        ApiTokenInputs.CheckName(name);
        var requested = permissions is null ? null : RolePolicy.Normalize(permissions);
        if (requested is { Length: 0 })
        {
            throw ApiTokenErrors.NoPermissions(name);
        }

        if (expiresIn is { } lifetime && (lifetime < MinLifetime || lifetime > MaxLifetime))
        {
            throw ApiTokenErrors.LifetimeInvalid(lifetime, MinLifetime, MaxLifetime);
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
                    throw ApiTokenErrors.PermissionsDenied(role, denied, allowed);
                }

                if (document.Tokens.Any(t => CallerIdentity.Comparer.Equals(t.Issuer, Caller) && string.Equals(t.Name, name, StringComparison.OrdinalIgnoreCase)))
                {
                    throw ApiTokenErrors.NameTaken(name);
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
                throw ApiTokenErrors.NotFound(Store.DirectoryPath, "id", id);
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
        ApiTokenInputs.CheckUser(user);
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
        ApiTokenInputs.CheckUser(user);
        return Store.Update(tx =>
        {
            RequireAdmin(tx.Document, "remove roles");
            var roles = tx.Document.Roles;
            var existing = roles.FirstOrDefault(r => CallerIdentity.Comparer.Equals(r.User, user))
                ?? throw ApiTokenErrors.NoRoleAssignment(user, Store.DirectoryPath);
            if (existing.Role == ApiTokenRole.GlobalAdmin)
            {
                EnsureAnotherAdmin(roles, existing);
            }

            roles.Remove(existing);
            tx.Audit(new AuditEntry { Time = _clock.UtcNow, Actor = Caller, Action = AuditAction.RoleRevoked, User = existing.User, Role = existing.Role });
            return new RoleAssignment(existing, Store.DirectoryPath);
        });
    }

    /// <summary>Who has which role, optionally only the users <paramref name="userFilter"/> accepts (the module passes wildcard matching) and only <paramref name="role"/>.</summary>
    public IReadOnlyList<RoleAssignment> ListRoles(Func<string, bool>? userFilter = null, ApiTokenRole? role = null)
    {
        var document = Store.Read();
        return document.Roles
            .Where(r => userFilter is null || userFilter(r.User))
            .Where(r => role is null || r.Role == role)
            .OrderBy(r => r.Role)
            .ThenBy(r => r.User, StringComparer.OrdinalIgnoreCase)
            .Select(r => new RoleAssignment(r, Store.DirectoryPath))
            .ToList();
    }

    /// <summary>The audit log, oldest first, as <paramref name="query"/> narrows it: every entry for a global admin, else the caller's own.</summary>
    public IReadOnlyList<AuditEntry> ReadAuditLog(out int unreadableLines, AuditLogQuery? query = null)
    {
        var document = Store.Read();
        var role = RequireRole(document);
        IEnumerable<AuditEntry> entries = Store.ReadAuditLog(out unreadableLines);
        if (!RolePolicy.AdministersStore(role))
        {
            entries = entries.Where(e => CallerIdentity.Comparer.Equals(e.Actor, Caller));
        }

        if (query?.Actions is { Count: > 0 } actions)
        {
            entries = entries.Where(e => actions.Contains(e.Action));
        }

        if (query?.AfterSequence is { } sequence)
        {
            entries = entries.Where(e => e.Sequence > sequence);
        }

        if (query?.After is { } after)
        {
            entries = entries.Where(e => e.Time >= after);
        }

        var list = entries.ToList();
        return query?.Last is { } last && list.Count > last ? list.GetRange(list.Count - last, last) : list;
    }

    /// <summary>
    /// Chooses the tokens the caller can see by id, or by name pattern (<paramref name="compilePattern"/> turns a
    /// pattern into a matcher; the module passes PowerShell wildcards). An id, or a name without wildcards, that
    /// matches nothing gets a not-found error, unless <paramref name="status"/> narrows the listing.
    /// </summary>
    public ApiTokenSelection Select(ApiTokenKey by, IEnumerable<string> keys, Func<string, Func<string, bool>> compilePattern, ApiTokenStatus? status = null) =>
        ApiTokenSelection.Choose(
            List(new ApiTokenQuery { Status = status }),
            by,
            keys ?? throw new ArgumentNullException(nameof(keys)),
            compilePattern ?? throw new ArgumentNullException(nameof(compilePattern)),
            reportMissing: status is null,
            (key, value) => ApiTokenErrors.NotFound(Store.DirectoryPath, key, value));

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

        throw ApiTokenErrors.NoRole(Caller, Store.DirectoryPath, document.Roles.Where(r => r.Role == ApiTokenRole.GlobalAdmin).Select(r => r.User));
    }

    private void RequireAdmin(StoreDocument document, string action)
    {
        var role = RequireRole(document);
        if (!RolePolicy.AdministersStore(role))
        {
            throw ApiTokenErrors.NotAdmin(Caller, role, action);
        }
    }

    private void EnsureAnotherAdmin(List<RoleRecord> roles, RoleRecord leaving)
    {
        if (!roles.Any(r => r != leaving && r.Role == ApiTokenRole.GlobalAdmin))
        {
            throw ApiTokenErrors.OnlyGlobalAdmin(leaving.User);
        }
    }

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
}
