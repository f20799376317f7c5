using System;
using System.Collections.Generic;
using System.IO;
using System.Text;
using System.Text.Json;
using MdApiTokens.Core.ApiTokens;

namespace MdApiTokens.Core.Store;

/// <summary>The store's <c>audit.log</c>: one compact JSON entry per line, only ever appended to.</summary>
internal sealed class AuditLog
{
    private static readonly JsonSerializerOptions s_compact = new(StoreJsonContext.Default.Options) { WriteIndented = false };

    public AuditLog(string path) => Path = path;

    public string Path { get; }

    /// <summary>
    /// Every committed entry: those numbered up to <paramref name="committedSequence"/> (all of them for a store written
    /// before entries were numbered). Lines past it, and a torn last line, belong to a change that never committed and
    /// are left out; other lines that are not valid entries are skipped and counted in <paramref name="skipped"/>.
    /// </summary>
    public IReadOnlyList<AuditEntry> Read(long? committedSequence, out int skipped)
    {
        skipped = 0;
        var entries = new List<AuditEntry>();
        byte[] bytes;
        try
        {
            using var stream = StoreFile.OpenRead(Path);
            if (stream is null)
            {
                return entries;
            }

            bytes = ReadAll(stream);
        }
        catch (DirectoryNotFoundException)
        {
            return entries;
        }
        catch (UnauthorizedAccessException e)
        {
            throw ApiTokenErrors.AccessDenied(Path, e);
        }

        foreach (var line in CompleteLines(bytes, bytes.Length))
        {
            if (line.Trim().Length == 0)
            {
                continue;
            }

            var entry = TryParse(line);
            if (entry is null)
            {
                skipped++;
            }
            else if (committedSequence is not { } committed || entry.Sequence <= committed)
            {
                entries.Add(entry);
            }
        }

        return entries;
    }

    /// <summary>
    /// Under the store lock, before the document that commits them is swapped in: cuts off what an interrupted change
    /// left after the <paramref name="committed"/> end, appends <paramref name="entries"/>, flushes them to disk, and
    /// returns the log's new length.
    /// </summary>
    public long Append(IReadOnlyList<AuditEntry> entries, AuditState? committed)
    {
        var text = new StringBuilder();
        foreach (var entry in entries)
        {
            text.Append(JsonSerializer.Serialize(entry, s_compact.GetTypeInfo(typeof(AuditEntry)))).Append('\n');
        }

        var bytes = Encoding.UTF8.GetBytes(text.ToString());
        try
        {
            using var stream = StoreFile.OpenWrite(Path);
            var end = stream.Length;
            if (committed is not null && end != committed.Length)
            {
                end = CommittedEnd(ReadAll(stream), committed.Sequence);
                stream.SetLength(end);
            }

            stream.Position = end;
            stream.Write(bytes, 0, bytes.Length);
            stream.Flush(flushToDisk: true);
            return end + bytes.Length;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw ApiTokenErrors.AuditLogWriteFailedError(Path, e);
        }
    }

    // The end of the last line that is not an uncommitted leftover: a torn last line and complete entries numbered past
    // the committed one are cut; anything else (an old entry, a line edited by hand) is kept.
    private static long CommittedEnd(byte[] log, long committedSequence)
    {
        var cut = log.Length;
        if (cut > 0 && log[cut - 1] != (byte)'\n')
        {
            cut = Array.LastIndexOf(log, (byte)'\n', cut - 1) + 1;
        }

        while (cut > 0)
        {
            var start = cut - 1 == 0 ? 0 : Array.LastIndexOf(log, (byte)'\n', cut - 2) + 1;
            var entry = TryParse(Encoding.UTF8.GetString(log, start, cut - start));
            if (entry is null || entry.Sequence <= committedSequence)
            {
                break;
            }

            cut = start;
        }

        return cut;
    }

    private static IEnumerable<string> CompleteLines(byte[] bytes, int length)
    {
        var complete = length == 0 ? 0 : Array.LastIndexOf(bytes, (byte)'\n', length - 1) + 1;
        return Encoding.UTF8.GetString(bytes, 0, complete).Split('\n');
    }

    private static AuditEntry? TryParse(string line)
    {
        try
        {
            return JsonSerializer.Deserialize(line, StoreJsonContext.Default.AuditEntry);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static byte[] ReadAll(FileStream stream)
    {
        stream.Position = 0;
        using var memory = new MemoryStream();
        stream.CopyTo(memory);
        return memory.ToArray();
    }
}
