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
    public static FileStream? OpenRead(string path)
    {
        using var file = OpenChecked(path);
        return file?.TakeStream();
    }

    /// <summary>
    /// Opens <paramref name="path"/> to read and tells the opened file's identity before anything is read (on Unix
    /// without creating a stream, so an unchanged file costs an open, an fstat and a close); null when it does not exist.
    /// </summary>
    public static OpenedFile? OpenChecked(string path)
    {
        if (s_isWindows)
        {
            if (!File.Exists(path))
            {
                return null;
            }

            RefuseReparsePoint(path);
            var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1);
            try
            {
                return new OpenedFile(WindowsFile.Identity(stream.SafeFileHandle), null, stream);
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

        return fd is null ? null : new OpenedFile(Checked(fd, path), fd, null);
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

        if (fd is null)
        {
            throw new DirectoryNotFoundException($"Could not find a part of the path '{path}'.");
        }

        Checked(fd, path);
        return new FileStream(fd, FileAccess.ReadWrite, 1);
    }

    /// <summary>The identity of a file this process has open (its own temporary file).</summary>
    public static FileIdentity Identity(FileStream stream) =>
        s_isWindows ? WindowsFile.Identity(stream.SafeFileHandle) : UnixFile.Status(stream.SafeFileHandle).Identity;

    /// <summary>The form of <paramref name="path"/> <see cref="IsUnchanged"/> takes, made once per store (null on Windows).</summary>
    public static byte[]? StatPath(string path) => s_isWindows ? null : UnixFile.NullTerminated(path);

    /// <summary>
    /// True when <paramref name="statPath"/> names, not through a link, a regular file that only its owner and group
    /// can write, whose identity is <paramref name="previous"/> and settled at <paramref name="nowUtc"/>: then nothing in
    /// it changed since it was read, told by one lstat without opening it. False otherwise (and always on Windows):
    /// the caller then opens the file with every check of <see cref="OpenChecked"/>.
    /// </summary>
    public static bool IsUnchanged(byte[]? statPath, FileIdentity previous, DateTime nowUtc) =>
        statPath is not null
        && UnixFile.LinkStatus(statPath) is { } status
        && (status.Mode & UnixFile.TypeMask) == UnixFile.RegularFile
        && (status.Mode & UnixFile.OthersWrite) == 0
        && status.Identity.Equals(previous)
        && status.Identity.IsSettledAt(nowUtc);

    /// <summary>Refuses a store folder that every account can write: anyone could swap its files.</summary>
    public static void CheckFolder(string directory)
    {
        if (!s_isWindows && UnixFile.PathMode(directory) is { } mode && (mode & UnixFile.OthersWrite) != 0)
        {
            throw WorldWritable(directory);
        }
    }

    // Refuses (closing it) an open file that is not a regular file or that every account can write; its identity otherwise.
    private static FileIdentity Checked(SafeFileHandle fd, string path)
    {
        try
        {
            var status = UnixFile.Status(fd);
            if ((status.Mode & UnixFile.TypeMask) != UnixFile.RegularFile)
            {
                throw Unsafe(path, "it is not a regular file (a FIFO, a device, a folder or a socket)");
            }

            if ((status.Mode & UnixFile.OthersWrite) != 0)
            {
                throw WorldWritable(path);
            }

            return status.Identity;
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

/// <summary>A store file opened and checked, with its identity; its stream is created only when it is read.</summary>
internal sealed class OpenedFile : IDisposable
{
    private SafeFileHandle? _handle;
    private FileStream? _stream;

    public OpenedFile(FileIdentity identity, SafeFileHandle? handle, FileStream? stream)
    {
        Identity = identity;
        _handle = handle;
        _stream = stream;
    }

    public FileIdentity Identity { get; }

    /// <summary>The file as a stream; it stays owned by this object.</summary>
    public FileStream Stream => _stream ??= new FileStream(_handle!, FileAccess.Read, 1);

    /// <summary>The stream, now owned by the caller.</summary>
    public FileStream TakeStream()
    {
        var stream = Stream;
        _stream = null;
        _handle = null;
        return stream;
    }

    public void Dispose()
    {
        if (_stream is not null)
        {
            _stream.Dispose();
        }
        else
        {
            _handle?.Dispose();
        }
    }
}
