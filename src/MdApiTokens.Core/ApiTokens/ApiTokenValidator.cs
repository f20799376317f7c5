using System;
using System.Linq;

namespace MdApiTokens.Core.ApiTokens;

/// <summary>
/// Checks presented tokens against a store, for <c>Test-ApiToken</c> and for web services that use the store without
/// PowerShell: format and checksum first (without touching the store), then the hash, expiry and a required
/// permission. A successful check records the token's use, coalesced to one write per <see cref="UseRecordingInterval"/>
/// and best effort (skipped when the lock is busy or the store is read-only for this account), so validation stays a
/// read path that never waits on writers. A validator opens the store file on every check and compares its identity
/// (file, size, times) with the one it last parsed, reading and parsing again only when that changed (a revoked token
/// fails at once); a token is found by its hash in a dictionary. A service should keep one validator per store (the
/// module keeps one per store path); it is thread-safe.
/// </summary>
public sealed class ApiTokenValidator
{
    /// <summary>A use is written only when the recorded last use is at least this old (status has day resolution).</summary>
    public static readonly TimeSpan UseRecordingInterval = TimeSpan.FromHours(1);

    /// <summary>By default, the longest a check waits for the store lock to record a use before it skips the recording.</summary>
    public static readonly TimeSpan UseRecordingLockWait = TimeSpan.FromMilliseconds(50);

    private readonly ApiTokenStore _store;
    private readonly IClock _clock;
    private readonly TimeSpan _useRecordingLockWait;
    private readonly Func<string> _actor;
    private volatile StoreSnapshot? _snapshot;

    /// <param name="store">The store to check against.</param>
    /// <param name="clock">The time source.</param>
    /// <param name="useRecordingLockWait">How long a check may wait for the store lock to record a use before skipping it; <see cref="UseRecordingLockWait"/> by default.</param>
    /// <param name="actor">The account named in the audit entry for a revoked token presented again; the account running this process by default.</param>
    public ApiTokenValidator(ApiTokenStore store, IClock clock, TimeSpan? useRecordingLockWait = null, string? actor = null)
        : this(store, clock, actor is null ? new Func<string>(CallerIdentity.Current) : () => actor, useRecordingLockWait)
    {
    }

    /// <summary>A validator that asks <paramref name="actor"/> for the account to name in an audit entry when it writes one (a module keeps one validator per store for callers that change).</summary>
    /// <param name="store">The store to check against.</param>
    /// <param name="clock">The time source.</param>
    /// <param name="actor">Gives the account named in the audit entry for a revoked token presented again.</param>
    /// <param name="useRecordingLockWait">How long a check may wait for the store lock to record a use before skipping it; <see cref="UseRecordingLockWait"/> by default.</param>
    public ApiTokenValidator(ApiTokenStore store, IClock clock, Func<string> actor, TimeSpan? useRecordingLockWait = null)
    {
        _actor = actor ?? throw new ArgumentNullException(nameof(actor));
        _store = store ?? throw new ArgumentNullException(nameof(store));
        _clock = clock ?? throw new ArgumentNullException(nameof(clock));
        _useRecordingLockWait = useRecordingLockWait ?? UseRecordingLockWait;
    }

    /// <summary>
    /// Validates <paramref name="token"/>. A token's effective permissions are those it was issued with that its
    /// issuer's current role still allows; <paramref name="requiredPermission"/>, if given, must be among them.
    /// </summary>
    /// <exception cref="MdApiTokensException">The store is missing, unreadable, corrupt or of a newer version.</exception>
    public ApiTokenValidationResult Validate(string? token, ApiTokenPermission? requiredPermission = null)
    {
        if (!ApiTokenValue.IsWellFormed(token))
        {
            return new ApiTokenValidationResult(ApiTokenValidationReason.Malformed, null, requiredPermission);
        }

        var hash = ApiTokenValue.ComputeHash(token!);
        var snapshot = _store.ReadSnapshot(_snapshot);
        _snapshot = snapshot;
        var document = snapshot.Document;
        var index = snapshot.Index;
        var record = Find(index.Live, hash, t => t);
        var now = _clock.UtcNow;
        if (record is null)
        {
            return Find(index.Revoked, hash, r => r.Token) is { } revoked
                ? RevokedPresented(revoked, now, requiredPermission)
                : new ApiTokenValidationResult(ApiTokenValidationReason.Unknown, null, requiredPermission);
        }

        if (record.ExpiresOn is { } expiry && now >= expiry)
        {
            return Result(ApiTokenValidationReason.Expired, record, now, requiredPermission);
        }

        var issuerRole = document.Roles.FirstOrDefault(r => CallerIdentity.Comparer.Equals(r.User, record.Issuer))?.Role;
        var effective = issuerRole is { } role
            ? record.Permissions.Intersect(RolePolicy.AllowedPermissions(role)).ToList()
            : new System.Collections.Generic.List<ApiTokenPermission>();
        if (effective.Count == 0 || (requiredPermission is { } required && !effective.Contains(required)))
        {
            return Result(ApiTokenValidationReason.MissingPermission, record, now, requiredPermission);
        }

        // Best effort: a writer holding the lock, or an account that may only read the store, never delays or fails
        // the check; the use is recorded by a later one.
        if (NeedsUseRecorded(record, now) && TryRecordUse(record.Id, now, out var current))
        {
            if (current is null)
            {
                // Revoked between the read and the write: revocation wins.
                return new ApiTokenValidationResult(ApiTokenValidationReason.Unknown, null, requiredPermission);
            }

            record = current;
        }

        return Result(ApiTokenValidationReason.Valid, record, now, requiredPermission);
    }

    private bool TryRecordUse(string id, DateTimeOffset now, out ApiTokenRecord? current) => _store.TryUpdate(
        tx =>
        {
            var found = tx.Document.Tokens.FirstOrDefault(t => t.Id == id);
            if (found is not null && NeedsUseRecorded(found, now))
            {
                found.LastUsedOn = now;
                tx.MarkChanged();
            }

            return found;
        },
        _useRecordingLockWait,
        out current);

    private static bool NeedsUseRecorded(ApiTokenRecord record, DateTimeOffset now) =>
        record.LastUsedOn is not { } last || now - last >= UseRecordingInterval;

    // The leaked token being tried is what an admin most wants to know: audited at most once an hour per token, and
    // best effort like use recording, so the answer never waits on a writer.
    private ApiTokenValidationResult RevokedPresented(RevokedTokenRecord revoked, DateTimeOffset now, ApiTokenPermission? required)
    {
        if (NeedsPresentationAudited(revoked, now))
        {
            _store.TryUpdate(
                tx =>
                {
                    var current = tx.Document.Revoked?.FirstOrDefault(r => r.Token.Id == revoked.Token.Id);
                    if (current is not null && NeedsPresentationAudited(current, now))
                    {
                        current.LastPresentedOn = now;
                        tx.Audit(new AuditEntry
                        {
                            Time = now,
                            Actor = _actor(),
                            Action = AuditAction.RevokedTokenPresented,
                            TokenId = current.Token.Id,
                            TokenName = current.Token.Name,
                            Details = "issuer=" + current.Token.Issuer + "; revokedOn=" + current.RevokedOn.ToString("o"),
                        });
                    }

                    return current;
                },
                _useRecordingLockWait,
                out _);
        }

        return new ApiTokenValidationResult(ApiTokenValidationReason.Revoked, new ApiTokenInfo(revoked, now, _store.DirectoryPath), required);
    }

    private static bool NeedsPresentationAudited(RevokedTokenRecord revoked, DateTimeOffset now) =>
        revoked.LastPresentedOn is not { } last || now - last >= UseRecordingInterval;

    // A dictionary lookup by the hash (of a 256-bit random secret: its timing tells nothing useful), then the found
    // record's hash compared in constant time.
    private static T? Find<T>(System.Collections.Generic.Dictionary<string, T> records, string hash, Func<T, ApiTokenRecord> token)
        where T : class =>
        records.TryGetValue(hash, out var record) && ApiTokenValue.HashesEqual(token(record).Hash, hash) ? record : null;

    private ApiTokenValidationResult Result(ApiTokenValidationReason reason, ApiTokenRecord record, DateTimeOffset now, ApiTokenPermission? required) =>
        new(reason, new ApiTokenInfo(record, now, _store.DirectoryPath), required);
}
