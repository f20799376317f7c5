using System;
using System.Buffers;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;

namespace MdApiTokens.Core.Store;

/// <summary>
/// The file-backed token table: <c>tokens.json</c> in a folder, changed by read-modify-write under an exclusive OS
/// lock, written to a temporary file that is flushed and atomically swapped in, with every change appended to
/// <c>audit.log</c>. A corrupt or newer-version file is reported and left exactly as it is.
/// </summary>
public sealed class ApiTokenStore
{
    public const string StoreFileName = "tokens.json";
    public const string LockFileName = "tokens.json.lock";
    public const string AuditFileName = "audit.log";

    /// <summary>The schema version this library reads and writes.</summary>
    public const int CurrentSchemaVersion = 1;

    public static readonly TimeSpan DefaultLockTimeout = TimeSpan.FromSeconds(30);

    private const string RecoverAdvice =
        "The file has not been changed. Restore it from a backup, or move it aside to start a new store.";

    private readonly bool _createMissingParents;
    private readonly TimeSpan _lockTimeout;

    /// <param name="directoryPath">The store folder.</param>
    /// <param name="createMissingParents">Create missing parent folders when the store is first written (right for the default location, not for a path a user typed).</param>
    /// <param name="lockTimeout">How long a change waits for another writer; <see cref="DefaultLockTimeout"/> by default.</param>
    public ApiTokenStore(string directoryPath, bool createMissingParents = false, TimeSpan? lockTimeout = null)
    {
        if (string.IsNullOrWhiteSpace(directoryPath))
        {
            throw PathInvalid(directoryPath ?? "", "The store path is empty.", null);
        }

        try
        {
            DirectoryPath = Path.GetFullPath(directoryPath);
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException or IOException)
        {
            throw PathInvalid(directoryPath, $"'{directoryPath}' is not a valid folder path: {e.Message}", e);
        }

        if (File.Exists(DirectoryPath))
        {
            throw PathInvalid(DirectoryPath, $"The store path '{DirectoryPath}' is a file. A store path names a folder, which holds {StoreFileName}.", null);
        }

        FilePath = Path.Combine(DirectoryPath, StoreFileName);
        LockPath = Path.Combine(DirectoryPath, LockFileName);
        AuditLogPath = Path.Combine(DirectoryPath, AuditFileName);
        _createMissingParents = createMissingParents;
        _lockTimeout = lockTimeout ?? DefaultLockTimeout;
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
    public StoreDocument Read() => TryRead() ?? throw NotFound();

    /// <summary>Like <see cref="Read"/>, but null when there is no store file.</summary>
    public StoreDocument? TryRead() => TryReadSnapshot(null)?.Document;

    /// <summary>
    /// Reads the store file and, when its bytes are exactly those <paramref name="previous"/> was parsed from, returns
    /// <paramref name="previous"/> without parsing or allocating (the file is read into a pooled buffer); otherwise
    /// parses a new snapshot. Null when there is no store file. The file is read every time, so a change (a revoke)
    /// is seen at once; callers must not change a snapshot's document.
    /// </summary>
    internal StoreSnapshot? TryReadSnapshot(StoreSnapshot? previous)
    {
        byte[]? buffer = null;
        try
        {
            int length;
            try
            {
                using var stream = new FileStream(FilePath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                length = (int)Math.Min(stream.Length, int.MaxValue - 1);
                buffer = ArrayPool<byte>.Shared.Rent(length + 1);
                var read = 0;
                int n;
                while (read < buffer.Length && (n = stream.Read(buffer, read, buffer.Length - read)) > 0)
                {
                    read += n;
                }

                length = read;
            }
            catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
            {
                return null;
            }
            catch (UnauthorizedAccessException e)
            {
                throw AccessDenied(FilePath, e);
            }
            catch (IOException e)
            {
                throw new MdApiTokensException(ErrorIds.StoreReadFailed, ErrorKind.ReadError,
                    $"Could not read the API token store '{FilePath}': {e.Message}", FilePath, null, e);
            }

            var content = new ReadOnlySpan<byte>(buffer, 0, length);
            if (previous is not null && content.SequenceEqual(previous.Bytes))
            {
                return previous;
            }

            var bytes = content.ToArray();
            return new StoreSnapshot(bytes, Parse(bytes, FilePath));
        }
        finally
        {
            if (buffer is not null)
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
    }

    /// <summary>Like <see cref="TryReadSnapshot"/>, but a missing store is an error.</summary>
    internal StoreSnapshot ReadSnapshot(StoreSnapshot? previous) => TryReadSnapshot(previous) ?? throw NotFound();

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

        EnsureDirectory(create is not null);
        StoreTransaction transaction;
        T result;
        try
        {
            using (StoreLock.Acquire(LockPath, _lockTimeout))
            {
                RemoveStaleTempFiles();
                var document = TryRead();
                var isNew = document is null;
                if (document is null)
                {
                    if (create is null)
                    {
                        throw NotFound();
                    }

                    document = create();
                }

                transaction = new StoreTransaction(document, isNew);
                result = change(transaction);
                if (!transaction.Changed)
                {
                    return result;
                }

                Write(document);
            }
        }
        catch (UnauthorizedAccessException e)
        {
            throw AccessDenied(DirectoryPath, e);
        }
        catch (IOException e)
        {
            throw new MdApiTokensException(ErrorIds.StoreWriteFailed, ErrorKind.WriteError,
                $"Could not write the API token store '{FilePath}': {e.Message} The store is unchanged.", FilePath, null, e);
        }

        AppendAudit(transaction.AuditEntries);
        return result;
    }

    /// <summary>Reads the audit log; lines that are not valid entries are skipped and counted in <paramref name="skipped"/>.</summary>
    public IReadOnlyList<AuditEntry> ReadAuditLog(out int skipped)
    {
        skipped = 0;
        var entries = new List<AuditEntry>();
        string[] lines;
        try
        {
            using var stream = new FileStream(AuditLogPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            lines = Encoding.UTF8.GetString(ReadToEnd(stream)).Split('\n');
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return entries;
        }
        catch (UnauthorizedAccessException e)
        {
            throw AccessDenied(AuditLogPath, e);
        }

        foreach (var line in lines)
        {
            if (line.Trim().Length == 0)
            {
                continue;
            }

            try
            {
                var entry = JsonSerializer.Deserialize(line, StoreJsonContext.Default.AuditEntry);
                if (entry is null)
                {
                    skipped++;
                }
                else
                {
                    entries.Add(entry);
                }
            }
            catch (JsonException)
            {
                skipped++;
            }
        }

        return entries;
    }

    internal static StoreDocument Parse(byte[] bytes, string path)
    {
        if (bytes.Length == 0)
        {
            throw Corrupt(path, "it is empty", null);
        }

        JsonDocument json;
        try
        {
            json = JsonDocument.Parse(bytes);
        }
        catch (JsonException e)
        {
            throw Corrupt(path, $"it is not valid JSON (line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1})", e);
        }

        using (json)
        {
            var root = json.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw Corrupt(path, "it is not a JSON object", null);
            }

            if (!root.TryGetProperty("schemaVersion", out var versionElement)
                || versionElement.ValueKind != JsonValueKind.Number
                || !versionElement.TryGetInt32(out var version)
                || version < 1)
            {
                throw Corrupt(path, "it has no valid schemaVersion", null);
            }

            if (version > CurrentSchemaVersion)
            {
                throw new MdApiTokensException(
                    ErrorIds.StoreVersionUnsupported,
                    ErrorKind.InvalidData,
                    $"The API token store '{path}' has schema version {version}; this version of MdApiTokens reads version {CurrentSchemaVersion}. The file has not been changed.",
                    path,
                    "Update the MdApiTokens module (Update-Module MdApiTokens) on this machine, or use the store from the machine that wrote it.");
            }

            StoreDocument? document;
            try
            {
                document = root.Deserialize(StoreJsonContext.Default.StoreDocument);
            }
            catch (JsonException e)
            {
                var where = e.Path is null ? "" : $" at {e.Path}";
                throw Corrupt(path, $"its content does not match the store schema{where}", e);
            }

            if (document is null)
            {
                throw Corrupt(path, "it is empty", null);
            }

            Check(document, path);
            return document;
        }
    }

    private static void Check(StoreDocument document, string path)
    {
        if (document.Roles is null || document.Tokens is null)
        {
            throw Corrupt(path, "the roles or tokens list is missing", null);
        }

        var ids = new HashSet<string>(StringComparer.Ordinal);
        foreach (var token in document.Tokens)
        {
            if (token is null
                || string.IsNullOrEmpty(token.Id)
                || string.IsNullOrEmpty(token.Name)
                || string.IsNullOrEmpty(token.Issuer)
                || token.Permissions is null
                || token.Hash is null
                || token.Hash.Length != 64
                || !token.Hash.All(Uri.IsHexDigit))
            {
                throw Corrupt(path, "a token record is incomplete", null);
            }

            if (!ids.Add(token.Id))
            {
                throw Corrupt(path, $"token id {token.Id} appears twice", null);
            }
        }

        if (document.Roles.Any(r => r is null || string.IsNullOrEmpty(r.User)))
        {
            throw Corrupt(path, "a role assignment is incomplete", null);
        }
    }

    private void EnsureDirectory(bool mayCreate)
    {
        if (Directory.Exists(DirectoryPath))
        {
            return;
        }

        if (!mayCreate)
        {
            throw NotFound();
        }

        var parent = Path.GetDirectoryName(DirectoryPath);
        try
        {
            if (parent is not null && !Directory.Exists(parent))
            {
                if (!_createMissingParents)
                {
                    throw PathInvalid(DirectoryPath, $"Cannot create the API token store '{DirectoryPath}': its parent folder '{parent}' does not exist.", null);
                }

                Directory.CreateDirectory(parent);
            }

            RestrictedFile.CreateDirectory(DirectoryPath);
        }
        catch (UnauthorizedAccessException e)
        {
            throw AccessDenied(DirectoryPath, e);
        }
        catch (IOException e)
        {
            throw PathInvalid(DirectoryPath, $"Cannot create the API token store folder '{DirectoryPath}': {e.Message}", e);
        }
    }

    private void Write(StoreDocument document)
    {
        var bytes = JsonSerializer.SerializeToUtf8Bytes(document, StoreJsonContext.Default.StoreDocument);
        var temp = RestrictedFile.TempPathFor(FilePath);
        try
        {
            using (var stream = RestrictedFile.CreateNew(temp, RestrictedFile.GetUnixMode(FilePath)))
            {
                stream.Write(bytes, 0, bytes.Length);
                stream.Flush(flushToDisk: true);
            }

            RestrictedFile.Swap(temp, FilePath);
        }
        catch
        {
            RestrictedFile.TryDelete(temp);
            throw;
        }
    }

    private void AppendAudit(IReadOnlyList<AuditEntry> entries)
    {
        if (entries.Count == 0)
        {
            return;
        }

        var text = new StringBuilder();
        var compact = new JsonSerializerOptions(StoreJsonContext.Default.Options) { WriteIndented = false };
        foreach (var entry in entries)
        {
            text.Append(JsonSerializer.Serialize(entry, compact.GetTypeInfo(typeof(AuditEntry)))).Append('\n');
        }

        var bytes = Encoding.UTF8.GetBytes(text.ToString());
        try
        {
            if (!File.Exists(AuditLogPath))
            {
                try
                {
                    RestrictedFile.CreateNew(AuditLogPath).Dispose();
                }
                catch (IOException) when (File.Exists(AuditLogPath))
                {
                    // Created meanwhile by another writer.
                }
            }

            using var stream = new FileStream(AuditLogPath, FileMode.Append, FileAccess.Write, FileShare.ReadWrite);
            stream.Write(bytes, 0, bytes.Length);
            stream.Flush(flushToDisk: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new MdApiTokensException(
                ErrorIds.AuditLogWriteFailed,
                ErrorKind.WriteError,
                $"The change was saved, but it could not be recorded in the audit log '{AuditLogPath}': {e.Message}",
                AuditLogPath,
                "Check that the audit log is writable by this account and that the disk is not full.",
                e);
        }
    }

    // Under the lock no other writer is mid-write, so any temporary file left here is from a writer that died.
    private void RemoveStaleTempFiles()
    {
        foreach (var stale in Directory.EnumerateFiles(DirectoryPath, StoreFileName + ".*.tmp"))
        {
            RestrictedFile.TryDelete(stale);
        }
    }

    private static byte[] ReadToEnd(Stream stream)
    {
        using var memory = new MemoryStream();
        stream.CopyTo(memory);
        return memory.ToArray();
    }

    private MdApiTokensException NotFound() => new(
        ErrorIds.StoreNotFound,
        ErrorKind.ObjectNotFound,
        $"There is no API token store at '{DirectoryPath}'.",
        DirectoryPath,
        "Create one with Initialize-ApiTokenStore (or New-ApiToken, which creates it on first use), or point -StorePath or $env:MDAPITOKENS_STORE at an existing store.");

    private static MdApiTokensException Corrupt(string path, string what, Exception? inner) => new(
        ErrorIds.StoreCorrupt,
        ErrorKind.InvalidData,
        $"The API token store '{path}' cannot be read: {what}. {RecoverAdvice}",
        path,
        RecoverAdvice,
        inner);

    private static MdApiTokensException PathInvalid(string path, string message, Exception? inner) => new(
        ErrorIds.StorePathInvalid,
        ErrorKind.InvalidArgument,
        message,
        path,
        "Give -StorePath (or $env:MDAPITOKENS_STORE) a folder whose parent exists, such as (Join-Path $HOME 'tokens').",
        inner);

    private static MdApiTokensException AccessDenied(string path, Exception inner) => new(
        ErrorIds.StoreAccessDenied,
        ErrorKind.PermissionDenied,
        $"Access to the API token store '{path}' was denied: {inner.Message}",
        path,
        "Run as the account that owns the store, or ask its owner to share it with you.",
        inner);
}

/// <summary>A parsed store file and the exact bytes it was parsed from; its document is shared and must not be changed.</summary>
internal sealed class StoreSnapshot
{
    public StoreSnapshot(byte[] bytes, StoreDocument document)
    {
        Bytes = bytes;
        Document = document;
    }

    public byte[] Bytes { get; }

    public StoreDocument Document { get; }
}

/// <summary>One change to the store, under its lock: the document to change and the audit entries to append.</summary>
public sealed class StoreTransaction
{
    private readonly List<AuditEntry> _audit = new();

    internal StoreTransaction(StoreDocument document, bool isNew)
    {
        Document = document;
        IsNew = isNew;
        Changed = isNew;
    }

    public StoreDocument Document { get; }

    /// <summary>True when this change creates the store.</summary>
    public bool IsNew { get; }

    internal bool Changed { get; private set; }

    internal IReadOnlyList<AuditEntry> AuditEntries => _audit;

    /// <summary>Marks the document changed, so it is written.</summary>
    public void MarkChanged() => Changed = true;

    /// <summary>Marks the document changed and records <paramref name="entry"/> in the audit log once it is written.</summary>
    public void Audit(AuditEntry entry)
    {
        _audit.Add(entry);
        Changed = true;
    }
}
