using System;
using System.Diagnostics;
using System.IO;
using System.Threading;
using MdApiTokens.Core.Shared;

namespace MdApiTokens.Core.ApiTokens;

/// <summary>
/// An exclusive OS lock on the store's lock file, held for one read-modify-write. On Unix .NET takes
/// <c>flock(LOCK_EX)</c> for <see cref="FileShare.None"/>; on Windows the sharing mode itself excludes others.
/// Threads and processes are excluded alike, since each open is its own lock holder.
/// </summary>
internal sealed class StoreLock : IDisposable
{
    private readonly FileStream _stream;

    private StoreLock(FileStream stream) => _stream = stream;

    public static StoreLock Acquire(string lockPath, TimeSpan timeout)
    {
        var watch = Stopwatch.StartNew();
        var delay = 1;
        while (true)
        {
            try
            {
                var stream = File.Exists(lockPath)
                    ? new FileStream(lockPath, FileMode.Open, FileAccess.ReadWrite, FileShare.None)
                    : CreateLockFile(lockPath);
                return new StoreLock(stream);
            }
            catch (IOException e) when (e is not FileNotFoundException and not DirectoryNotFoundException && watch.Elapsed < timeout)
            {
                // Held by another thread or process: back off a little, with jitter so waiters do not march in step.
                Thread.Sleep(delay + Jitter.Next(delay + 1));
                delay = Math.Min(delay * 2, 50);
            }
            catch (IOException e) when (e is not FileNotFoundException and not DirectoryNotFoundException)
            {
                throw ApiTokenErrors.Locked(lockPath, timeout, e);
            }
        }
    }

    public void Dispose() => _stream.Dispose();

    private static FileStream CreateLockFile(string lockPath)
    {
        try
        {
            return RestrictedFile.CreateNew(lockPath);
        }
        catch (IOException) when (File.Exists(lockPath))
        {
            // Another process created it first; open theirs (contention, if any, surfaces on this open).
            return new FileStream(lockPath, FileMode.Open, FileAccess.ReadWrite, FileShare.None);
        }
    }
}
