using System;
using System.Buffers;
using System.IO;

namespace MdApiTokens.Core.ApiTokens;

/// <summary>The store's read path: a snapshot of the file, reused while the file is unchanged.</summary>
public sealed partial class ApiTokenStore
{
    private static readonly byte[] s_utf8Bom = { 0xEF, 0xBB, 0xBF };

    /// <summary>The current time against which file times are judged recent (the real clock: file times are real; tests move it).</summary>
    internal Func<DateTime> FileTimeNow { get; set; } = () => DateTime.UtcNow;

    /// <summary>
    /// Opens the store file (never through a link) and returns <paramref name="previous"/> without reading it when the
    /// opened file's identity (<see cref="FileIdentity"/>) is the one <paramref name="previous"/> was read from and
    /// settled; otherwise reads the file into a pooled buffer and returns <paramref name="previous"/> when the bytes are
    /// the same, or parses a new snapshot. Null when there is no store file. The file is opened every time, so a change
    /// (a revoke) is seen at once; callers must not change a snapshot's document.
    /// </summary>
    internal StoreSnapshot? TryReadSnapshot(StoreSnapshot? previous)
    {
        byte[]? buffer = null;
        try
        {
            int length;
            FileIdentity identity;
            try
            {
                StoreFile.CheckFolder(DirectoryPath);

                // The cheap check: the same file, with the same size and times, none of them within the timestamp
                // granularity of now, holds the same bytes. One lstat tells it on Unix; when it cannot, the file is opened.
                if (previous is not null && StoreFile.IsUnchanged(_statPath, previous.Identity, FileTimeNow()))
                {
                    return previous;
                }

                using var file = StoreFile.OpenChecked(FilePath);
                if (file is null)
                {
                    return null;
                }

                identity = file.Identity;

                // The same check on the opened file (Windows, or a file that changed between the two): anything else is
                // read and compared byte for byte.
                if (previous is not null && previous.Identity.Equals(identity) && identity.IsSettledAt(FileTimeNow()))
                {
                    return previous;
                }

                var stream = file.Stream;
                if (identity.Size > MaxFileBytes)
                {
                    throw ApiTokenErrors.TooLarge(FilePath, MaxFileBytes);
                }

                // One byte more than the limit, so a file that grows while it is read is still caught.
                buffer = ArrayPool<byte>.Shared.Rent((int)identity.Size + 1);
                var read = 0;
                int n;
                while ((n = stream.Read(buffer, read, buffer.Length - read)) > 0)
                {
                    read += n;
                    if (read > MaxFileBytes)
                    {
                        throw ApiTokenErrors.TooLarge(FilePath, MaxFileBytes);
                    }

                    if (read == buffer.Length)
                    {
                        var larger = ArrayPool<byte>.Shared.Rent(Math.Min(buffer.Length * 2, MaxFileBytes + 1));
                        Buffer.BlockCopy(buffer, 0, larger, 0, read);
                        ArrayPool<byte>.Shared.Return(buffer);
                        buffer = larger;
                    }
                }

                length = read;
            }
            catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
            {
                return null;
            }
            catch (UnauthorizedAccessException e)
            {
                throw ApiTokenErrors.AccessDenied(FilePath, e);
            }
            catch (IOException e)
            {
                throw ApiTokenErrors.ReadFailed(FilePath, e);
            }

            var content = new ReadOnlySpan<byte>(buffer, 0, length);
            if (content.StartsWith(s_utf8Bom))
            {
                content = content.Slice(s_utf8Bom.Length);
            }

            if (previous is not null && previous.Bytes.ContentEquals(content))
            {
                return previous.Identity.Equals(identity) ? previous : previous.WithIdentity(identity);
            }

            var bytes = content.ToArray();
            return new StoreSnapshot(StoreBytes.Of(bytes), StoreSchema.Parse(bytes, FilePath), identity);
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
    internal StoreSnapshot ReadSnapshot(StoreSnapshot? previous) => TryReadSnapshot(previous) ?? throw ApiTokenErrors.StoreMissing(DirectoryPath);
}
