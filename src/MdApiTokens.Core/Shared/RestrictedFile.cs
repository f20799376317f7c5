using System;
using System.IO;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Security.AccessControl;
using System.Security.Principal;

namespace MdApiTokens.Core.Shared;

/// <summary>
/// Creates files and folders that only their owner can read: mode 0600/0700 on Unix, an owner-only ACL without
/// inheritance on Windows. Used for the token store, its audit log and any file holding token material.
/// </summary>
public static class RestrictedFile
{
    /// <summary>rw------- : what a new file holding token material gets.</summary>
    public const int OwnerOnlyFileMode = 0x180; // 0600

    /// <summary>rwx------ : what a new folder holding such files gets.</summary>
    public const int OwnerOnlyDirectoryMode = 0x1C0; // 0700

    private const int NoAccessForOthersMask = 0x1F8; // 0770: a file may be shared with its group, never with others

    private static readonly bool s_isWindows = RuntimeInformation.IsOSPlatform(OSPlatform.Windows);

    /// <summary>
    /// Test seam: replaces the replace step (Win32 ReplaceFile on Windows, rename elsewhere) for the current async flow,
    /// so the failures ReplaceFile has (errors 1176/1177) can be injected where they cannot happen for real.
    /// </summary>
    internal static readonly System.Threading.AsyncLocal<Action<string, string>?> ReplaceOverride = new();

    /// <summary>
    /// Creates <paramref name="path"/> (it must not exist) for writing, owner-only before any byte is written.
    /// On Unix, <paramref name="unixMode"/> (owner and group bits only) may carry over the mode of the file this one
    /// replaces, so a store an administrator shared with a group stays shared.
    /// </summary>
    public static FileStream CreateNew(string path, int? unixMode = null)
    {
        if (s_isWindows)
        {
            var stream = new FileStream(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None);
            try
            {
                new FileInfo(path).SetAccessControl(OwnerOnlyFileSecurity());
                return stream;
            }
            catch
            {
                stream.Dispose();
                TryDelete(path);
                throw;
            }
        }

        var mode = (unixMode ?? OwnerOnlyFileMode) & NoAccessForOthersMask;
        var created = UnixCreate.TryCreate(path, OwnerOnlyFileMode)
            ?? new FileStream(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None);
        try
        {
            // Also right on runtimes without FileStreamOptions.UnixCreateMode, and exact where the umask would mask
            // the group bits of a shared store. Nothing has been written yet.
            SetUnixMode(path, mode);
            return created;
        }
        catch
        {
            created.Dispose();
            TryDelete(path);
            throw;
        }
    }

    /// <summary>
    /// Sets the permission bits of an existing Unix file this process is about to write over, as <see cref="CreateNew"/>
    /// sets them on a new one: <paramref name="unixMode"/>'s owner and group bits (owner-only when null), never "other".
    /// </summary>
    internal static void RestrictUnixMode(string path, int? unixMode) =>
        SetUnixMode(path, (unixMode ?? OwnerOnlyFileMode) & NoAccessForOthersMask);

    /// <summary>Creates <paramref name="path"/> (its parent must exist) as an owner-only folder; an existing folder is left as it is.</summary>
    public static void CreateDirectory(string path)
    {
        if (Directory.Exists(path))
        {
            return;
        }

        var info = Directory.CreateDirectory(path);
        if (s_isWindows)
        {
            info.SetAccessControl(OwnerOnlyDirectorySecurity());
        }
        else
        {
            SetUnixMode(path, OwnerOnlyDirectoryMode);
        }
    }

    /// <summary>
    /// Writes <paramref name="content"/> to <paramref name="path"/> through an owner-only temporary file in the same
    /// folder, flushed to disk and then swapped in, so readers see the old or the new file and never a partial one.
    /// </summary>
    public static void WriteAllBytes(string path, byte[] content)
    {
        var full = Path.GetFullPath(path);
        var temp = TempPathFor(full);
        try
        {
            using (var stream = CreateNew(temp))
            {
                stream.Write(content, 0, content.Length);
                stream.Flush(flushToDisk: true);
            }

            Swap(temp, full, ownerOnly: true);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
    }

    /// <summary>A temporary file name beside <paramref name="path"/>: same folder, so the final rename is atomic.</summary>
    public static string TempPathFor(string path) =>
        path + "." + Guid.NewGuid().ToString("N").Substring(0, 12) + ".tmp";

    /// <summary>
    /// Atomically puts <paramref name="source"/> in place of <paramref name="destination"/> (rename on Unix, ReplaceFile on
    /// Windows, which keeps the destination's ACL, so a store shared with a group stays shared). With
    /// <paramref name="ownerOnly"/>, the result is owner-only on Windows whatever ACL the replaced file had (a Unix file
    /// already has the source's mode).
    /// </summary>
    public static void Swap(string source, string destination, bool ownerOnly = false)
    {
        if (!File.Exists(destination))
        {
            File.Move(source, destination);
        }
        else
        {
            Replace(source, destination);
        }

        if (ownerOnly && s_isWindows)
        {
            new FileInfo(destination).SetAccessControl(OwnerOnlyFileSecurity());
        }
    }

    private static void Replace(string source, string destination)
    {
        var replace = ReplaceOverride.Value ?? ((s, d) => File.Replace(s, d, destinationBackupFileName: null, ignoreMetadataErrors: true));
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                replace(source, destination);
                return;
            }
            catch (IOException) when (File.Exists(source) && !File.Exists(destination))
            {
                // ReplaceFile errors 1176/1177 can leave the destination gone or renamed while the replacement still
                // exists: it is now the only copy, so move it into place rather than let the caller delete it.
                File.Move(source, destination);
                return;
            }
            catch (IOException) when (s_isWindows && attempt < 10)
            {
                // A reader without FILE_SHARE_DELETE (antivirus, an editor) briefly holds the file open.
                System.Threading.Thread.Sleep(20 * attempt);
            }
        }
    }

    /// <summary>The permission bits of a Unix file, or null on Windows or runtimes that cannot tell.</summary>
    public static int? GetUnixMode(string path)
    {
        if (s_isWindows)
        {
            return null;
        }

        return UnixCreate.GetMode(path);
    }

    internal static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private static void SetUnixMode(string path, int mode)
    {
        if (Chmod(path, (uint)mode) != 0)
        {
            var errno = Marshal.GetLastWin32Error();
            throw new IOException($"Could not restrict the permissions of '{path}' (errno {errno}).");
        }
    }

    [DllImport("libc", EntryPoint = "chmod", SetLastError = true)]
    private static extern int Chmod([MarshalAs(UnmanagedType.LPStr)] string path, uint mode);

    private static FileSecurity OwnerOnlyFileSecurity()
    {
        var security = new FileSecurity();
        security.SetAccessRuleProtection(isProtected: true, preserveInheritance: false);
        security.AddAccessRule(new FileSystemAccessRule(CurrentUserSid(), FileSystemRights.FullControl, AccessControlType.Allow));
        return security;
    }

    private static DirectorySecurity OwnerOnlyDirectorySecurity()
    {
        var security = new DirectorySecurity();
        security.SetAccessRuleProtection(isProtected: true, preserveInheritance: false);
        security.AddAccessRule(new FileSystemAccessRule(
            CurrentUserSid(),
            FileSystemRights.FullControl,
            InheritanceFlags.ContainerInherit | InheritanceFlags.ObjectInherit,
            PropagationFlags.None,
            AccessControlType.Allow));
        return security;
    }

    private static SecurityIdentifier CurrentUserSid()
    {
        using var identity = WindowsIdentity.GetCurrent();
        return identity.User ?? throw new InvalidOperationException("The current Windows account has no security identifier.");
    }

    // FileStreamOptions.UnixCreateMode and File.GetUnixFileMode exist from .NET 7 (PowerShell 7.4+), not in
    // netstandard2.0: reach them by reflection so the file is born with its final mode where the runtime allows.
    private static class UnixCreate
    {
        private static readonly Type? s_optionsType = typeof(FileStream).Assembly.GetType("System.IO.FileStreamOptions");
        private static readonly Type? s_modeType = typeof(FileStream).Assembly.GetType("System.IO.UnixFileMode");
        private static readonly ConstructorInfo? s_ctor =
            s_optionsType is null ? null : typeof(FileStream).GetConstructor(new[] { typeof(string), s_optionsType });
        private static readonly MethodInfo? s_getMode =
            s_modeType is null ? null : typeof(File).GetMethod("GetUnixFileMode", new[] { typeof(string) });

        public static FileStream? TryCreate(string path, int mode)
        {
            if (s_optionsType is null || s_modeType is null || s_ctor is null)
            {
                return null;
            }

            var options = Activator.CreateInstance(s_optionsType)!;
            s_optionsType.GetProperty("Mode")!.SetValue(options, FileMode.CreateNew);
            s_optionsType.GetProperty("Access")!.SetValue(options, FileAccess.ReadWrite);
            s_optionsType.GetProperty("Share")!.SetValue(options, FileShare.None);
            s_optionsType.GetProperty("UnixCreateMode")!.SetValue(options, Enum.ToObject(s_modeType, mode));
            try
            {
                return (FileStream)s_ctor.Invoke(new[] { path, options });
            }
            catch (TargetInvocationException e) when (e.InnerException is not null)
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerException).Throw();
                throw;
            }
        }

        public static int? GetMode(string path)
        {
            if (s_getMode is null)
            {
                return null;
            }

            try
            {
                return Convert.ToInt32(s_getMode.Invoke(null, new object[] { path }), System.Globalization.CultureInfo.InvariantCulture);
            }
            catch (TargetInvocationException)
            {
                return null;
            }
        }
    }
}
