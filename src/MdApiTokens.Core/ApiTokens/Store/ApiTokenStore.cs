using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.IO;
using MdApiTokens.Core.Shared;

namespace MdApiTokens.Core.ApiTokens;

/// <summary>
/// The file-backed token table: <c>tokens.json</c> in a folder, changed by read-modify-write under an exclusive OS
/// lock, written to a temporary file that is flushed and atomically swapped in, with every change appended to
/// <c>audit.log</c>. A corrupt or newer-version file is reported and left exactly as it is.
/// </summary>
public sealed partial class ApiTokenStore
{
    public const string StoreFileName = "tokens.json";
    public const string LockFileName = "tokens.json.lock";
    public const string AuditFileName = "audit.log";

    /// <summary>The schema version this library reads and writes.</summary>
    public const int CurrentSchemaVersion = StoreSchema.CurrentVersion;

    public static readonly TimeSpan DefaultLockTimeout = TimeSpan.FromSeconds(30);

    /// <summary>The largest store file read: 64 MiB, about 200,000 tokens (the format is built for up to 10,000).</summary>
    public const int MaxFileBytes = 64 * 1024 * 1024;

    // Most stores a process keeps the last written document of (a script walking many stores starts over).
    private const int MaxKeptDocuments = 64;

    // Per store file, the document this process wrote last and the identity of the file it wrote: every store object
    // for the path (the module opens one per command) starts its next change from it while the file is unchanged.
    private static readonly ConcurrentDictionary<string, StoreSnapshot> s_lastWritten = new(StringComparer.Ordinal);

    // Per store file, the file this process's last change replaced, kept to be written over by its next (Unix only).
    private static readonly ConcurrentDictionary<string, SpareFile> s_spares = new(StringComparer.Ordinal);

    private readonly bool _createMissingParents;
    private readonly TimeSpan _lockTimeout;
    private readonly AuditLog _auditLog;
    private readonly byte[]? _statPath;

    /// <param name="directoryPath">The store folder.</param>
    /// <param name="createMissingParents">Create missing parent folders when the store is first written (right for the default location, not for a path a user typed).</param>
    /// <param name="lockTimeout">How long a change waits for another writer; <see cref="DefaultLockTimeout"/> by default.</param>
    public ApiTokenStore(string directoryPath, bool createMissingParents = false, TimeSpan? lockTimeout = null)
    {
        if (string.IsNullOrWhiteSpace(directoryPath))
        {
            throw ApiTokenErrors.PathInvalid(directoryPath ?? "", "The store path is empty.", null);
        }

        try
        {
            DirectoryPath = Path.GetFullPath(directoryPath);
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException or IOException)
        {
            throw ApiTokenErrors.PathInvalid(directoryPath, $"'{directoryPath}' is not a valid folder path: {e.Message}", e);
        }

        if (File.Exists(DirectoryPath))
        {
            throw ApiTokenErrors.PathInvalid(DirectoryPath, $"The store path '{DirectoryPath}' is a file. A store path names a folder, which holds {StoreFileName}.", null);
        }

        FilePath = Path.Combine(DirectoryPath, StoreFileName);
        LockPath = Path.Combine(DirectoryPath, LockFileName);
        AuditLogPath = Path.Combine(DirectoryPath, AuditFileName);
        _createMissingParents = createMissingParents;
        _lockTimeout = lockTimeout ?? DefaultLockTimeout;
        _auditLog = new AuditLog(AuditLogPath);
        _statPath = StoreFile.StatPath(FilePath);
    }

    /// <summary>The store folder (full path).</summary>
    public string DirectoryPath { get; }

    /// <summary>The store file, <c>tokens.json</c>.</summary>
    public string FilePath { get; }

    /// <summary>The lock file, held exclusively during a change.</summary>
    public string LockPath { get; }

    /// <summary>The audit log, one JSON object per line.</summary>
    public string AuditLogPath { get; }

    public bool Exists => File.Exists(FilePath);

    /// <summary>Reads the store as it is now; no lock is needed because writers swap whole files.</summary>
    /// <exception cref="MdApiTokensException">The store does not exist, cannot be read, is corrupt or is of a newer version.</exception>
    public StoreDocument Read() => TryRead() ?? throw ApiTokenErrors.StoreMissing(DirectoryPath);

    /// <summary>Like <see cref="Read"/>, but null when there is no store file.</summary>
    public StoreDocument? TryRead() => TryReadSnapshot(null)?.Document;

    /// <summary>
    /// Runs <paramref name="change"/> on the current document under the store's exclusive lock and, if it changed
    /// anything, writes the result atomically and appends its audit entries. If <paramref name="create"/> is given, a
    /// missing store is created from it; otherwise a missing store is an error. Nothing is written if
    /// <paramref name="change"/> throws.
    /// </summary>
    public T Update<T>(Func<StoreTransaction, T> change, Func<StoreDocument>? create = null)
    {
        if (change is null)
        {
            throw new ArgumentNullException(nameof(change));
        }

        return Update(change, create, _lockTimeout);
    }

    /// <summary>
    /// A best-effort <see cref="Update{T}"/> for bookkeeping a reader may skip (recording a use): waits at most
    /// <paramref name="lockWait"/> for the lock and returns false, changing nothing, when another writer holds it or
    /// this account cannot write the store.
    /// </summary>
    internal bool TryUpdate<T>(Func<StoreTransaction, T> change, TimeSpan lockWait, out T result)
    {
        try
        {
            result = Update(change, null, lockWait);
            return true;
        }
        catch (MdApiTokensException e) when (e.ErrorId is ApiTokenErrors.StoreLocked or ApiTokenErrors.StoreAccessDenied or ApiTokenErrors.StoreWriteFailed)
        {
            result = default!;
            return false;
        }
    }

    private T Update<T>(Func<StoreTransaction, T> change, Func<StoreDocument>? create, TimeSpan lockTimeout)
    {

        EnsureDirectory(create is not null);
        StoreTransaction transaction;
        T result;
        try
        {
            using (StoreLock.Acquire(LockPath, lockTimeout))
            {
                s_spares.TryRemove(FilePath, out var spare);
                RemoveStaleTempFiles(spare?.Path);

                // The document this process wrote last to this file is used again, unparsed, while the file is still the
                // one it wrote; it is taken out first so a change that fails leaves nothing half-changed behind.
                s_lastWritten.TryRemove(FilePath, out var lastWritten);
                var snapshot = TryReadSnapshot(lastWritten);
                var document = snapshot?.Document;
                var isNew = document is null;
                if (document is null)
                {
                    if (create is null)
                    {
                        throw ApiTokenErrors.StoreMissing(DirectoryPath);
                    }

                    document = create();
                }

                transaction = new StoreTransaction(document, isNew);
                result = change(transaction);
                if (!transaction.Changed)
                {
                    KeepSpare(spare);
                    return result;
                }

                CommitAudit(document, transaction.AuditEntries);
                var (written, nextSpare) = Write(document, snapshot?.Identity, lastWritten?.Identity, spare);
                KeepSpare(nextSpare);
                if (s_lastWritten.Count >= MaxKeptDocuments)
                {
                    s_lastWritten.Clear();
                }

                s_lastWritten[FilePath] = written;
            }
        }
        catch (UnauthorizedAccessException e)
        {
            throw ApiTokenErrors.AccessDenied(DirectoryPath, e);
        }
        catch (IOException e)
        {
            throw ApiTokenErrors.WriteFailed(FilePath, e);
        }

        return result;
    }

    /// <summary>Reads the audit log; lines that are not valid entries are skipped and counted in <paramref name="skipped"/>.</summary>
    public IReadOnlyList<AuditEntry> ReadAuditLog(out int skipped) => _auditLog.Read(TryRead()?.Audit?.Sequence, out skipped);

    private void EnsureDirectory(bool mayCreate)
    {
        if (Directory.Exists(DirectoryPath))
        {
            return;
        }

        if (!mayCreate)
        {
            throw ApiTokenErrors.StoreMissing(DirectoryPath);
        }

        var parent = Path.GetDirectoryName(DirectoryPath);
        try
        {
            if (parent is not null && !Directory.Exists(parent))
            {
                if (!_createMissingParents)
                {
                    throw ApiTokenErrors.PathInvalid(DirectoryPath, $"Cannot create the API token store '{DirectoryPath}': its parent folder '{parent}' does not exist.", null);
                }

                Directory.CreateDirectory(parent);
            }

            RestrictedFile.CreateDirectory(DirectoryPath);
        }
        catch (UnauthorizedAccessException e)
        {
            throw ApiTokenErrors.AccessDenied(DirectoryPath, e);
        }
        catch (IOException e)
        {
            throw ApiTokenErrors.PathInvalid(DirectoryPath, $"Cannot create the API token store folder '{DirectoryPath}': {e.Message}", e);
        }
    }

    // Compact JSON, serialised once, into the spare this process kept (see SpareFile) or a new temporary file, then
    // swapped in; returns what was written, for the next change to start from, and the file it replaced, kept as the
    // next spare when this process had written it (current: the file read under the lock; writtenLast: ours).
    private (StoreSnapshot Written, SpareFile? Spare) Write(StoreDocument document, FileIdentity? current, FileIdentity? writtenLast, SpareFile? spare)
    {
        var bytes = StoreWriter.Serialize(document);
        var mode = RestrictedFile.GetUnixMode(FilePath);
        var reused = spare?.OpenToRewrite(mode);
        var temp = reused is null ? RestrictedFile.TempPathFor(FilePath) : spare!.Path;
        SpareFile? next = null;
        try
        {
            FileIdentity identity;
            using (var stream = reused ?? RestrictedFile.CreateNew(temp, mode))
            {
                bytes.WriteTo(stream);
                if (reused is not null)
                {
                    stream.SetLength(bytes.Length);
                }

                stream.Flush(flushToDisk: true);
                identity = StoreFile.Identity(stream);
            }

            next = current is { } replaced ? SpareFile.Keep(FilePath, replaced, writtenLast) : null;
            RestrictedFile.Swap(temp, FilePath);
            return (new StoreSnapshot(bytes, document, identity), next);
        }
        catch when (File.Exists(FilePath))
        {
            // Never the only copy: a swap that lost the store file keeps its replacement.
            RestrictedFile.TryDelete(temp);
            if (next is not null)
            {
                RestrictedFile.TryDelete(next.Path);
            }

            throw;
        }
    }

    private void KeepSpare(SpareFile? spare)
    {
        if (spare is null)
        {
            return;
        }

        if (s_spares.Count >= MaxKeptDocuments)
        {
            s_spares.Clear();
        }

        s_spares[FilePath] = spare;
    }

    // Numbers and stamps the entries (times never go back, even when the clock does or writers' clocks differ),
    // appends them, and records the log's new end in the document: the swap that writes the document commits both.
    // A crash before the swap leaves lines past the recorded end, which readers ignore and the next change cuts off.
    private void CommitAudit(StoreDocument document, IReadOnlyList<AuditEntry> entries)
    {
        if (entries.Count == 0)
        {
            return;
        }

        var committed = document.Audit;
        var state = new AuditState { Sequence = committed?.Sequence ?? 0, Time = committed?.Time ?? default };
        foreach (var entry in entries)
        {
            entry.Sequence = ++state.Sequence;
            if (entry.Time < state.Time)
            {
                entry.Time = state.Time;
            }

            state.Time = entry.Time;
        }

        state.Length = _auditLog.Append(entries, committed);
        document.Audit = state;
    }

    // Under the lock no other writer is mid-write, so any temporary file left here is from a writer that died, and any
    // spare other than this process's own (keep) is another process's or one it lost track of.
    private void RemoveStaleTempFiles(string? keep)
    {
        foreach (var stale in Directory.EnumerateFiles(DirectoryPath, StoreFileName + ".*"))
        {
            if ((stale.EndsWith(".tmp", StringComparison.Ordinal) || stale.EndsWith(SpareFile.Suffix, StringComparison.Ordinal))
                && !string.Equals(stale, keep, StringComparison.Ordinal))
            {
                RestrictedFile.TryDelete(stale);
            }
        }
    }
}
