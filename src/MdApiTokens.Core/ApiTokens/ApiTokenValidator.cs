using System;
using System.Linq;
using MdApiTokens.Core.Store;

namespace MdApiTokens.Core.ApiTokens;

/// <summary>
/// Checks presented tokens against a store, for <c>Test-ApiToken</c> and for web services that use the store without
/// PowerShell: format and checksum first (without touching the store), then the hash, expiry and a required
/// permission. A successful check records the token's use, coalesced to one write per <see cref="UseRecordingInterval"/>
/// so validation stays a read path. A validator re-reads the store file on every check (a revoked token fails at once)
/// but parses it only when its bytes changed, so a service should keep one validator per store. It is thread-safe.
/// </summary>
public sealed class ApiTokenValidator
{
    /// <summary>A use is written only when the recorded last use is at least this old (status has day resolution).</summary>
    public static readonly TimeSpan UseRecordingInterval = TimeSpan.FromHours(1);

    private readonly ApiTokenStore _store;
    private readonly IClock _clock;
    private volatile StoreSnapshot? _snapshot;

    public ApiTokenValidator(ApiTokenStore store, IClock clock)
    {
        _store = store ?? throw new ArgumentNullException(nameof(store));
        _clock = clock ?? throw new ArgumentNullException(nameof(clock));
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
        var record = FindByHash(document, hash);
        if (record is null)
        {
            return new ApiTokenValidationResult(ApiTokenValidationReason.Unknown, null, requiredPermission);
        }

        var now = _clock.UtcNow;
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

        if (NeedsUseRecorded(record, now))
        {
            record = RecordUse(record.Id, now);
            if (record is null)
            {
                // Revoked between the read and the write: revocation wins.
                return new ApiTokenValidationResult(ApiTokenValidationReason.Unknown, null, requiredPermission);
            }
        }

        return Result(ApiTokenValidationReason.Valid, record, now, requiredPermission);
    }

    private ApiTokenRecord? RecordUse(string id, DateTimeOffset now) => _store.Update(tx =>
    {
        var current = tx.Document.Tokens.FirstOrDefault(t => t.Id == id);
        if (current is not null && NeedsUseRecorded(current, now))
        {
            current.LastUsedOn = now;
            tx.MarkChanged();
        }

        return current;
    });

    private static bool NeedsUseRecorded(ApiTokenRecord record, DateTimeOffset now) =>
        record.LastUsedOn is not { } last || now - last >= UseRecordingInterval;

    // Compares against every hash so the time taken does not depend on which record matches.
    private static ApiTokenRecord? FindByHash(StoreDocument document, string hash)
    {
        ApiTokenRecord? match = null;
        foreach (var record in document.Tokens)
        {
            if (ApiTokenValue.HashesEqual(record.Hash, hash))
            {
                match = record;
            }
        }

        return match;
    }

    private ApiTokenValidationResult Result(ApiTokenValidationReason reason, ApiTokenRecord record, DateTimeOffset now, ApiTokenPermission? required) =>
        new(reason, new ApiTokenInfo(record, now, _store.DirectoryPath), required);
}
