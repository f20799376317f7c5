using System;
using System.Diagnostics;
using System.IO;
using System.Threading;

namespace MdApiTokens.Core.Store;

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
                Thread.Sleep(delay + ThreadSafeRandom.Next(delay + 1));
                delay = Math.Min(delay * 2, 50);
            }
            catch (IOException e) when (e is not FileNotFoundException and not DirectoryNotFoundException)
            {
                throw new MdApiTokensException(
                    ErrorIds.StoreLocked,
                    ErrorKind.ResourceBusy,
                    $"The API token store is locked by another process (waited {timeout.TotalSeconds:0} s for '{lockPath}').",
                    lockPath,
                    "Wait for the other PowerShell session or runbook that is changing the store to finish, then try again.",
                    e);
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

internal static class ThreadSafeRandom
{
    [ThreadStatic]
    private static Random? s_random;

    public static int Next(int maxExclusive) =>
        (s_random ??= new Random(Guid.NewGuid().GetHashCode())).Next(maxExclusive);

    public static double NextDouble() => (s_random ??= new Random(Guid.NewGuid().GetHashCode())).NextDouble();
}
