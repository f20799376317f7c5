using System;
using System.Numerics;
using System.Security.Cryptography;
using System.Text;

namespace MdApiTokens.Core.ApiTokens;

/// <summary>
/// The format of a token value: <c>mdat_</c>, 43 base62 characters carrying 256 random bits, and a 6-character
/// base62 CRC-32 of those characters. The prefix lets secret scanners find leaked tokens; the checksum rejects a
/// mistyped or truncated token without touching the store.
/// </summary>
public static class ApiTokenValue
{
    /// <summary>The fixed prefix of every token value.</summary>
    public const string Prefix = "mdat_";

    /// <summary>Random bytes per token.</summary>
    public const int SecretBytes = 32;

    /// <summary>Base62 characters carrying the secret (62^43 &gt; 2^256).</summary>
    public const int SecretLength = 43;

    /// <summary>Base62 characters of the checksum (62^6 &gt; 2^32).</summary>
    public const int ChecksumLength = 6;

    /// <summary>Total length of a token value.</summary>
    public const int Length = 54; // Prefix.Length + SecretLength + ChecksumLength

    private const string Alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    private static readonly uint[] s_crcTable = BuildCrcTable();

    /// <summary>A new token value from <paramref name="random"/> (a cryptographic generator).</summary>
    public static string Generate(RandomNumberGenerator random)
    {
        if (random is null)
        {
            throw new ArgumentNullException(nameof(random));
        }

        var bytes = new byte[SecretBytes];
        random.GetBytes(bytes);
        try
        {
            var secret = Base62(bytes, SecretLength);
            return Prefix + secret + Checksum(secret);
        }
        finally
        {
            Array.Clear(bytes, 0, bytes.Length);
        }
    }

    /// <summary>True when <paramref name="value"/> has the prefix, length, alphabet and a matching checksum.</summary>
    public static bool IsWellFormed(string? value)
    {
        if (value is null || value.Length != Length || !value.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return false;
        }

        for (var i = Prefix.Length; i < value.Length; i++)
        {
            if (Alphabet.IndexOf(value[i]) < 0)
            {
                return false;
            }
        }

        var secret = value.Substring(Prefix.Length, SecretLength);
        return string.CompareOrdinal(value, Prefix.Length + SecretLength, Checksum(secret), 0, ChecksumLength) == 0;
    }

    /// <summary>The lowercase hex SHA-256 of the value: what the store keeps instead of the value.</summary>
    public static string ComputeHash(string value)
    {
        using var sha = SHA256.Create();
        var hash = sha.ComputeHash(Encoding.UTF8.GetBytes(value));
        var hex = new StringBuilder(hash.Length * 2);
        foreach (var b in hash)
        {
            hex.Append(b.ToString("x2", System.Globalization.CultureInfo.InvariantCulture));
        }

        return hex.ToString();
    }

    /// <summary>What a person may see of a value to recognise it: the prefix and the last four characters.</summary>
    public static string Hint(string value) => Prefix + "..." + value.Substring(value.Length - 4);

    /// <summary>Compares two hashes in time that does not depend on where they differ.</summary>
    public static bool HashesEqual(string a, string b)
    {
        if (a.Length != b.Length)
        {
            return false;
        }

        var diff = 0;
        for (var i = 0; i < a.Length; i++)
        {
            diff |= a[i] ^ b[i];
        }

        return diff == 0;
    }

    private static string Checksum(string secret)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var c in secret)
        {
            crc = s_crcTable[(crc ^ (byte)c) & 0xFF] ^ (crc >> 8);
        }

        return Base62(BitConverter.GetBytes(~crc), ChecksumLength);
    }

    // Fixed-width base62 of an unsigned number given as little-endian bytes.
    private static string Base62(byte[] littleEndian, int width)
    {
        var unsigned = new byte[littleEndian.Length + 1];
        Buffer.BlockCopy(littleEndian, 0, unsigned, 0, littleEndian.Length);
        var n = new BigInteger(unsigned);
        var chars = new char[width];
        for (var i = width - 1; i >= 0; i--)
        {
            n = BigInteger.DivRem(n, 62, out var rem);
            chars[i] = Alphabet[(int)rem];
        }

        Array.Clear(unsigned, 0, unsigned.Length);
        return new string(chars);
    }

    private static uint[] BuildCrcTable()
    {
        var table = new uint[256];
        for (uint i = 0; i < 256; i++)
        {
            var c = i;
            for (var k = 0; k < 8; k++)
            {
                c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            }

            table[i] = c;
        }

        return table;
    }
}
