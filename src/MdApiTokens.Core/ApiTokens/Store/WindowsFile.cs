using System.ComponentModel;
using System.IO;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace MdApiTokens.Core.ApiTokens;

/// <summary>The one Win32 call the store needs: an open file's identity (volume, file id, size, last write time).</summary>
internal static class WindowsFile
{
    public static FileIdentity Identity(SafeFileHandle handle)
    {
        if (!GetFileInformationByHandle(handle, out var info))
        {
            throw new IOException($"GetFileInformationByHandle failed: {new Win32Exception(Marshal.GetLastWin32Error()).Message}");
        }

        var written = System.DateTime.FromFileTimeUtc(Join(info.LastWriteHigh, info.LastWriteLow)).Ticks;
        return new FileIdentity(info.VolumeSerialNumber, Join(info.FileIndexHigh, info.FileIndexLow), Join(info.FileSizeHigh, info.FileSizeLow), written, written);
    }

    private static long Join(uint high, uint low) => ((long)high << 32) | low;

    [DllImport("kernel32.dll", SetLastError = true)]
    [return: MarshalAs(UnmanagedType.Bool)]
    private static extern bool GetFileInformationByHandle(SafeFileHandle file, out ByHandleFileInformation information);

    // BY_HANDLE_FILE_INFORMATION, each FILETIME as its low and high halves.
    [StructLayout(LayoutKind.Sequential)]
    private struct ByHandleFileInformation
    {
        public uint FileAttributes;
        public uint CreationLow;
        public uint CreationHigh;
        public uint LastAccessLow;
        public uint LastAccessHigh;
        public uint LastWriteLow;
        public uint LastWriteHigh;
        public uint VolumeSerialNumber;
        public uint FileSizeHigh;
        public uint FileSizeLow;
        public uint NumberOfLinks;
        public uint FileIndexHigh;
        public uint FileIndexLow;
    }
}
