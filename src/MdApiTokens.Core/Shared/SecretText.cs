using System;
using System.Runtime.InteropServices;
using System.Security;

namespace MdApiTokens.Core.Shared;

/// <summary>The one place a <see cref="SecureString"/> becomes text and back; keep the text as briefly as possible.</summary>
public static class SecretText
{
    /// <summary>The characters of <paramref name="secret"/>; the unmanaged copy is zeroed before it is freed.</summary>
    public static string Unwrap(SecureString secret)
    {
        if (secret is null)
        {
            throw new ArgumentNullException(nameof(secret));
        }

        var pointer = IntPtr.Zero;
        try
        {
            pointer = Marshal.SecureStringToGlobalAllocUnicode(secret);
            return Marshal.PtrToStringUni(pointer, secret.Length);
        }
        finally
        {
            if (pointer != IntPtr.Zero)
            {
                Marshal.ZeroFreeGlobalAllocUnicode(pointer);
            }
        }
    }

    /// <summary>A read-only <see cref="SecureString"/> holding <paramref name="text"/>.</summary>
    public static SecureString Wrap(string text)
    {
        var secure = new SecureString();
        foreach (var c in text ?? throw new ArgumentNullException(nameof(text)))
        {
            secure.AppendChar(c);
        }

        secure.MakeReadOnly();
        return secure;
    }
}
