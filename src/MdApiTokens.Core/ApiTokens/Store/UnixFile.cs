using System;
using System.ComponentModel;
using System.IO;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace MdApiTokens.Core.ApiTokens;

/// <summary>The few libc calls the store needs that netstandard2.0 does not offer: open without following links, fstat, and lstat.</summary>
internal static class UnixFile
{
    public const int TypeMask = 0xF000; // S_IFMT
    public const int RegularFile = 0x8000; // S_IFREG
    public const int OthersWrite = 0x2; // S_IWOTH

    private const int ENOENT = 2;
    private const int EACCES = 13;
    private const int EPERM = 1;

    // First: the flag values below depend on them.
    private static readonly bool s_isMac = RuntimeInformation.IsOSPlatform(OSPlatform.OSX);
    private static readonly bool s_isArm64 = RuntimeInformation.ProcessArchitecture == Architecture.Arm64;

    private static readonly int s_noFollow = s_isMac ? 0x100 : s_isArm64 ? 0x8000 : 0x20000;
    private static readonly int s_nonBlock = s_isMac ? 0x4 : 0x800;
    private static readonly int s_closeOnExec = s_isMac ? 0x1000000 : 0x80000;
    private static readonly int s_create = s_isMac ? 0x200 : 0x40;
    private static readonly int s_loopErrno = s_isMac ? 62 : 40; // ELOOP: the last component is a symbolic link

    [ThreadStatic]
    private static byte[]? s_statBuffer;

    /// <summary>
    /// Opens <paramref name="path"/> read-only, or read-write and created 0600 when missing, never following a symbolic
    /// link at the path and never blocking on a FIFO. Null when it does not exist; <paramref name="isLink"/> when it is a link.
    /// </summary>
    public static SafeFileHandle? Open(string path, bool write, out bool isLink)
    {
        isLink = false;
        var flags = s_noFollow | s_nonBlock | s_closeOnExec | (write ? 2 | s_create : 0);
        var fd = OpenLibc(path, flags, 0x180);
        if (fd >= 0)
        {
            return new SafeFileHandle((IntPtr)fd, ownsHandle: true);
        }

        var errno = Marshal.GetLastWin32Error();
        if (errno == ENOENT)
        {
            return null;
        }

        if (errno == s_loopErrno)
        {
            isLink = true;
            return null;
        }

        if (errno is EACCES or EPERM)
        {
            throw new UnauthorizedAccessException($"Access to the path '{path}' is denied.", new Win32Exception(errno));
        }

        throw new IOException($"Could not open '{path}': {new Win32Exception(errno).Message}", errno);
    }

    /// <summary>Type and permission bits and identity (device, inode, size, mtime and ctime with nanoseconds) of an open file.</summary>
    public static (int Mode, FileIdentity Identity) Status(SafeFileHandle fd)
    {
        var buffer = StatBuffer();
        var added = false;
        fd.DangerousAddRef(ref added);
        try
        {
            var fdNumber = (int)fd.DangerousGetHandle();
            var result = s_isMac ? FStatMac(fdNumber, buffer) : FStatLinux(fdNumber, buffer);
            if (result != 0)
            {
                throw new IOException($"fstat failed: {new Win32Exception(Marshal.GetLastWin32Error()).Message}");
            }
        }
        finally
        {
            if (added)
            {
                fd.DangerousRelease();
            }
        }

        return Parse(buffer);
    }

    /// <summary>
    /// Type and permission bits and identity of what <paramref name="path"/> names, not following a link there (lstat:
    /// a link reports itself); null when it cannot be read. One call, for telling that a file is unchanged without
    /// opening it; anything read from a file goes through <see cref="Open"/> and <see cref="Status(SafeFileHandle)"/>.
    /// </summary>
    public static (int Mode, FileIdentity Identity)? LinkStatus(byte[] nullTerminatedPath) => PathStatus(nullTerminatedPath, followLink: false);

    /// <summary>The type and permission bits of what <paramref name="path"/> names (following links), or null when it cannot be read.</summary>
    public static int? PathMode(string path) => PathStatus(NullTerminated(path), followLink: true)?.Mode;

    /// <summary>A path as lstat takes it: UTF-8, ending in a zero byte.</summary>
    public static byte[] NullTerminated(string path)
    {
        var bytes = new byte[System.Text.Encoding.UTF8.GetByteCount(path) + 1];
        System.Text.Encoding.UTF8.GetBytes(path, 0, path.Length, bytes, 0);
        return bytes;
    }

    // struct stat: Darwin's 64-bit-inode layout; Linux x64 and the generic layout of arm64 differ before st_size only.
    private static (int Mode, FileIdentity Identity) Parse(byte[] buffer)
    {
        if (s_isMac)
        {
            return (BitConverter.ToUInt16(buffer, 4), new FileIdentity(
                BitConverter.ToInt32(buffer, 0),
                BitConverter.ToInt64(buffer, 8),
                BitConverter.ToInt64(buffer, 96),
                FileIdentity.TicksFromUnix(BitConverter.ToInt64(buffer, 48), BitConverter.ToInt64(buffer, 56)),
                FileIdentity.TicksFromUnix(BitConverter.ToInt64(buffer, 64), BitConverter.ToInt64(buffer, 72))));
        }

        var mode = (int)BitConverter.ToUInt32(buffer, s_isArm64 ? 16 : 24);
        return (mode, new FileIdentity(
            BitConverter.ToInt64(buffer, 0),
            BitConverter.ToInt64(buffer, 8),
            BitConverter.ToInt64(buffer, 48),
            FileIdentity.TicksFromUnix(BitConverter.ToInt64(buffer, 88), BitConverter.ToInt64(buffer, 96)),
            FileIdentity.TicksFromUnix(BitConverter.ToInt64(buffer, 104), BitConverter.ToInt64(buffer, 112))));
    }

    // One struct stat buffer per thread: a validator's check makes two of these calls, thousands of times a second.
    private static byte[] StatBuffer() => s_statBuffer ??= new byte[256];

    // stat or lstat of a path; glibc before 2.33 exports only the versioned forms, Intel macOS the 64-bit-inode ones.
    private static (int Mode, FileIdentity Identity)? PathStatus(byte[] nullTerminatedPath, bool followLink)
    {
        var buffer = StatBuffer();
        int result;
        if (s_isMac)
        {
            result = followLink
                ? s_isArm64 ? StatPath(nullTerminatedPath, buffer) : StatPathMacX64(nullTerminatedPath, buffer)
                : s_isArm64 ? LStat(nullTerminatedPath, buffer) : LStatMacX64(nullTerminatedPath, buffer);
        }
        else
        {
            try
            {
                result = followLink ? StatPath(nullTerminatedPath, buffer) : LStat(nullTerminatedPath, buffer);
            }
            catch (EntryPointNotFoundException)
            {
                var version = s_isArm64 ? 0 : 1;
                result = followLink ? XStat(version, nullTerminatedPath, buffer) : LXStat(version, nullTerminatedPath, buffer);
            }
        }

        return result == 0 ? Parse(buffer) : null;
    }

    private static int FStatLinux(int fd, byte[] buffer)
    {
        try
        {
            return FStat(fd, buffer);
        }
        catch (EntryPointNotFoundException)
        {
            // glibc before 2.33 exports only the versioned form.
            return FxStat(s_isArm64 ? 0 : 1, fd, buffer);
        }
    }

    [DllImport("libc", EntryPoint = "open", SetLastError = true)]
    private static extern int OpenLibc([MarshalAs(UnmanagedType.LPStr)] string path, int flags, int mode);

    [DllImport("libc", EntryPoint = "fstat", SetLastError = true)]
    private static extern int FStat(int fd, byte[] buffer);

    [DllImport("libc", EntryPoint = "stat", SetLastError = true)]
    private static extern int StatPath(byte[] nullTerminatedPath, byte[] buffer);

    [DllImport("libc", EntryPoint = "__xstat", SetLastError = true)]
    private static extern int XStat(int version, byte[] nullTerminatedPath, byte[] buffer);

    [DllImport("libc", EntryPoint = "stat$INODE64", SetLastError = true)]
    private static extern int StatPathMacX64(byte[] nullTerminatedPath, byte[] buffer);

    [DllImport("libc", EntryPoint = "lstat", SetLastError = true)]
    private static extern int LStat(byte[] nullTerminatedPath, byte[] buffer);

    [DllImport("libc", EntryPoint = "__lxstat", SetLastError = true)]
    private static extern int LXStat(int version, byte[] nullTerminatedPath, byte[] buffer);

    [DllImport("libc", EntryPoint = "lstat$INODE64", SetLastError = true)]
    private static extern int LStatMacX64(byte[] nullTerminatedPath, byte[] buffer);

    [DllImport("libc", EntryPoint = "__fxstat", SetLastError = true)]
    private static extern int FxStat(int version, int fd, byte[] buffer);

    [DllImport("libc", EntryPoint = "fstat$INODE64", SetLastError = true)]
    private static extern int FStatMacX64(int fd, byte[] buffer);

    private static int FStatMac(int fd, byte[] buffer) =>
        s_isArm64 ? FStat(fd, buffer) : FStatMacX64(fd, buffer);
}
