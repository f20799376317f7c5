using System;
using System.IO;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace MdApiTokens.Core.ApiTokens;

/// <summary>
/// Opens the store's files without following symbolic links, refusing anything that is not a regular file (a FIFO,
/// a device) or that every account can write. On Unix the checks are made on the opened descriptor (open with
/// O_NOFOLLOW | O_NONBLOCK, then fstat), so the file cannot be swapped between check and use, and a FIFO never blocks.
/// </summary>
internal static class StoreFile
{
    private static readonly bool s_isWindows = RuntimeInformation.IsOSPlatform(OSPlatform.Windows);

    /// <summary>Opens <paramref name="path"/> to read; null when it does not exist.</summary>
    public static FileStream? OpenRead(string path) => OpenRead(path, out _);

    /// <summary>Opens <paramref name="path"/> to read and tells the opened file's <paramref name="identity"/>; null when it does not exist.</summary>
    public static FileStream? OpenRead(string path, out FileIdentity identity)
    {
        if (s_isWindows)
        {
            identity = default;
            if (!File.Exists(path))
            {
                return null;
            }

            RefuseReparsePoint(path);
            var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1);
            try
            {
                identity = WindowsFile.Identity(stream.SafeFileHandle);
                return stream;
            }
            catch
            {
                stream.Dispose();
                throw;
            }
        }

        var fd = UnixFile.Open(path, write: false, out var isLink);
        if (isLink)
        {
            throw Unsafe(path, "it is a symbolic link");
        }

        identity = default;
        return fd is null ? null : Checked(fd, path, FileAccess.Read, out identity);
    }

    /// <summary>Opens (creating owner-only if missing) <paramref name="path"/> to read and write; the caller holds the store lock.</summary>
    public static FileStream OpenWrite(string path)
    {
        if (s_isWindows)
        {
            if (!File.Exists(path))
            {
                try
                {
                    Shared.RestrictedFile.CreateNew(path).Dispose();
                }
                catch (IOException) when (File.Exists(path))
                {
                    // Created meanwhile by another writer.
                }
            }

            RefuseReparsePoint(path);
            return new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite);
        }

        var fd = UnixFile.Open(path, write: true, out var isLink);
        if (isLink)
        {
            throw Unsafe(path, "it is a symbolic link");
        }

        return Checked(fd ?? throw new DirectoryNotFoundException($"Could not find a part of the path '{path}'."), path, FileAccess.ReadWrite, out _);
    }

    /// <summary>The identity of a file this process has open (its own temporary file).</summary>
    public static FileIdentity Identity(FileStream stream) =>
        s_isWindows ? WindowsFile.Identity(stream.SafeFileHandle) : UnixFile.Status(stream.SafeFileHandle).Identity;

    /// <summary>Refuses a store folder that every account can write: anyone could swap its files.</summary>
    public static void CheckFolder(string directory)
    {
        if (!s_isWindows && Shared.RestrictedFile.GetUnixMode(directory) is { } mode && (mode & UnixFile.OthersWrite) != 0)
        {
            throw WorldWritable(directory);
        }
    }

    private static FileStream Checked(SafeFileHandle fd, string path, FileAccess access, out FileIdentity identity)
    {
        try
        {
            var status = UnixFile.Status(fd);
            identity = status.Identity;
            if ((status.Mode & UnixFile.TypeMask) != UnixFile.RegularFile)
            {
                throw Unsafe(path, "it is not a regular file (a FIFO, a device, a folder or a socket)");
            }

            if ((status.Mode & UnixFile.OthersWrite) != 0)
            {
                throw WorldWritable(path);
            }

            return new FileStream(fd, access, 1);
        }
        catch
        {
            fd.Dispose();
            throw;
        }
    }

    private static void RefuseReparsePoint(string path)
    {
        if ((File.GetAttributes(path) & (FileAttributes.ReparsePoint | FileAttributes.Directory | FileAttributes.Device)) != 0)
        {
            throw Unsafe(path, "it is a link, a folder or a device rather than a regular file");
        }
    }

    private static MdApiTokensException Unsafe(string path, string why) => ApiTokenErrors.UnsafeFile(
        path,
        $"The API token store file '{path}' was not opened: {why}. Store files are never followed through links.",
        "Remove what is at that path (as its owner) and restore the store's own file, then check who else can write to the store folder.");

    private static MdApiTokensException WorldWritable(string path) => ApiTokenErrors.UnsafeFile(
        path,
        $"The API token store path '{path}' can be written by every account on this machine, so anyone could change or replace the store.",
        $"Take write access away from other accounts: chmod o-w '{path}' (or chmod 700 on the folder, 600 on its files).");
}
