using System;
using System.IO;
using System.Text;

namespace MdApiTokens.Core.AccessTokens;

/// <summary>Reads a token saved to a file (Get-PartnerAccessToken -OutFile, or the documentation's Latest-token.txt).</summary>
public static class AccessTokenFile
{
    /// <summary>
    /// The token in <paramref name="path"/>, without surrounding white space. UTF-8 and UTF-16 (what Windows PowerShell's
    /// Out-File writes) are recognised by their byte-order marks. At most a little more than
    /// <see cref="AccessTokenValidator.MaxTokenLength"/> characters are read, so a huge file fails the format check
    /// instead of filling memory.
    /// </summary>
    public static string Read(string path)
    {
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var reader = new StreamReader(stream, new UTF8Encoding(false), detectEncodingFromByteOrderMarks: true);
            var buffer = new char[AccessTokenValidator.MaxTokenLength + 1024];
            var read = 0;
            int n;
            while (read < buffer.Length && (n = reader.Read(buffer, read, buffer.Length - read)) > 0)
            {
                read += n;
            }

            return new string(buffer, 0, read).Trim();
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw AccessTokenErrors.TokenFileMissing(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw AccessTokenErrors.TokenFileUnreadable(path, e);
        }
    }
}
