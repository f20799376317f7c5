using System;
using System.Buffers;
using System.Collections.Generic;
using System.IO;

namespace MdApiTokens.Core.ApiTokens;

/// <summary>
/// A store file's exact bytes, kept as the pieces they were written from (the document's head, each token's kept JSON,
/// the separators, the tail) or as the one array they were read into. At 10,000 tokens the file is megabytes: a change
/// writes the pieces to the file without first joining them, and the next change compares the file with them.
/// </summary>
internal sealed class StoreBytes
{
    private const int WriteChunk = 256 * 1024;

    private readonly List<ArraySegment<byte>> _pieces;

    private StoreBytes(List<ArraySegment<byte>> pieces, long length)
    {
        _pieces = pieces;
        Length = length;
    }

    public long Length { get; }

    /// <summary>Bytes read from a file, as one piece.</summary>
    public static StoreBytes Of(byte[] content) => new(new List<ArraySegment<byte>>(1) { new(content) }, content.Length);

    /// <summary>Writes every piece to <paramref name="stream"/>, gathered into large writes (a token's JSON is a few hundred bytes).</summary>
    public void WriteTo(Stream stream)
    {
        if (_pieces.Count == 1)
        {
            var only = _pieces[0];
            stream.Write(only.Array!, only.Offset, only.Count);
            return;
        }

        var chunk = ArrayPool<byte>.Shared.Rent(WriteChunk);
        try
        {
            var used = 0;
            foreach (var piece in _pieces)
            {
                if (used + piece.Count > chunk.Length)
                {
                    stream.Write(chunk, 0, used);
                    used = 0;
                }

                if (piece.Count > chunk.Length)
                {
                    stream.Write(piece.Array!, piece.Offset, piece.Count);
                    continue;
                }

                Buffer.BlockCopy(piece.Array!, piece.Offset, chunk, used, piece.Count);
                used += piece.Count;
            }

            stream.Write(chunk, 0, used);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }
    }

    /// <summary>True when <paramref name="content"/> is exactly these bytes.</summary>
    public bool ContentEquals(ReadOnlySpan<byte> content)
    {
        if (content.Length != Length)
        {
            return false;
        }

        foreach (var piece in _pieces)
        {
            if (!content.Slice(0, piece.Count).SequenceEqual(piece.AsSpan()))
            {
                return false;
            }

            content = content.Slice(piece.Count);
        }

        return true;
    }

    /// <summary>All the bytes in one new array (for tests and small stores).</summary>
    public byte[] ToArray()
    {
        var all = new byte[Length];
        var at = 0;
        foreach (var piece in _pieces)
        {
            Buffer.BlockCopy(piece.Array!, piece.Offset, all, at, piece.Count);
            at += piece.Count;
        }

        return all;
    }

    /// <summary>Collects pieces in order.</summary>
    internal sealed class Builder
    {
        private readonly List<ArraySegment<byte>> _pieces;
        private long _length;

        public Builder(int capacity) => _pieces = new List<ArraySegment<byte>>(capacity);

        public void Add(ArraySegment<byte> piece)
        {
            if (piece.Count > 0)
            {
                _pieces.Add(piece);
                _length += piece.Count;
            }
        }

        public void Add(byte[] piece) => Add(new ArraySegment<byte>(piece));

        public StoreBytes Build() => new(_pieces, _length);
    }
}
