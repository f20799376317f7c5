using System;
using System.Collections.Generic;
using System.IO;
using System.Text;
using System.Text.Json;
using MdApiTokens.Core.ApiTokens;
using MdApiTokens.Core.Shared;

namespace MdApiTokens.Core.Store;

/// <summary>The store's <c>audit.log</c>: one compact JSON entry per line, only ever appended to.</summary>
internal sealed class AuditLog
{
    private static readonly JsonSerializerOptions s_compact = new(StoreJsonContext.Default.Options) { WriteIndented = false };

    public AuditLog(string path) => Path = path;

    public string Path { get; }

    /// <summary>Every entry; lines that are not valid entries are skipped and counted in <paramref name="skipped"/>.</summary>
    public IReadOnlyList<AuditEntry> Read(out int skipped)
    {
        skipped = 0;
        var entries = new List<AuditEntry>();
        string[] lines;
        try
        {
            using var stream = new FileStream(Path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var memory = new MemoryStream();
            stream.CopyTo(memory);
            lines = Encoding.UTF8.GetString(memory.ToArray()).Split('\n');
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return entries;
        }
        catch (UnauthorizedAccessException e)
        {
            throw ApiTokenErrors.AccessDenied(Path, e);
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

    public void Append(IReadOnlyList<AuditEntry> entries)
    {
        if (entries.Count == 0)
        {
            return;
        }

        var text = new StringBuilder();
        foreach (var entry in entries)
        {
            text.Append(JsonSerializer.Serialize(entry, s_compact.GetTypeInfo(typeof(AuditEntry)))).Append('\n');
        }

        var bytes = Encoding.UTF8.GetBytes(text.ToString());
        try
        {
            if (!File.Exists(Path))
            {
                try
                {
                    RestrictedFile.CreateNew(Path).Dispose();
                }
                catch (IOException) when (File.Exists(Path))
                {
                    // Created meanwhile by another writer.
                }
            }

            using var stream = new FileStream(Path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite);
            stream.Write(bytes, 0, bytes.Length);
            stream.Flush(flushToDisk: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw ApiTokenErrors.AuditLogWriteFailedError(Path, e);
        }
    }
}
