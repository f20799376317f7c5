using System;

namespace MdApiTokens.Core.ApiTokens;

/// <summary>
/// What identifies one version of a file without reading it: the file itself (device and inode on Unix, volume
/// serial and file id on Windows), its size, and its modification and status-change times at the finest resolution
/// the OS reports. Equal identities mean an unchanged file only when the newest of those times is older than the
/// file system's timestamp granularity (<see cref="IsSettledAt"/>): two writes within one tick can share a time.
/// </summary>
internal readonly struct FileIdentity : IEquatable<FileIdentity>
{
    /// <summary>
    /// The coarsest timestamp resolution the store expects (FAT keeps 2 s; Linux stamps with a clock tick of up to
    /// 10 ms; NTFS, ext4, APFS finer): a file changed more recently than this is compared byte for byte instead.
    /// </summary>
    public static readonly TimeSpan Granularity = TimeSpan.FromSeconds(2);

    private const long UnixEpochTicks = 621355968000000000; // 1970-01-01T00:00:00Z

    public FileIdentity(long device, long file, long size, long modifiedTicks, long changedTicks)
    {
        Device = device;
        File = file;
        Size = size;
        ModifiedTicks = modifiedTicks;
        ChangedTicks = changedTicks;
    }

    public long Device { get; }

    public long File { get; }

    public long Size { get; }

    /// <summary>Last write time, UTC ticks (100 ns).</summary>
    public long ModifiedTicks { get; }

    /// <summary>Last status change (Unix ctime: any write, rename or chmod; not settable by users), UTC ticks; on Windows the change time is not read and this equals <see cref="ModifiedTicks"/>.</summary>
    public long ChangedTicks { get; }

    /// <summary>True when the file's newest time is at least <see cref="Granularity"/> before <paramref name="nowUtc"/>, so a later change must move it.</summary>
    public bool IsSettledAt(DateTime nowUtc) =>
        nowUtc.Ticks - Math.Max(ModifiedTicks, ChangedTicks) >= Granularity.Ticks;

    public bool Equals(FileIdentity other) =>
        Device == other.Device && File == other.File && Size == other.Size
        && ModifiedTicks == other.ModifiedTicks && ChangedTicks == other.ChangedTicks;

    public override bool Equals(object? obj) => obj is FileIdentity other && Equals(other);

    public override int GetHashCode() => (File, Size, ModifiedTicks).GetHashCode();

    /// <summary>UTC ticks of a Unix time given in seconds and nanoseconds.</summary>
    public static long TicksFromUnix(long seconds, long nanoseconds) =>
        UnixEpochTicks + (seconds * TimeSpan.TicksPerSecond) + (nanoseconds / 100);
}
