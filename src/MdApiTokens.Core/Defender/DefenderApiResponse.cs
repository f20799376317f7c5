using System;
using System.Buffers;
using System.IO;
using System.Net;
using System.Net.Http;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using System.Threading;
using System.Threading.Tasks;

namespace MdApiTokens.Core.Defender;

/// <summary>
/// A successful response whose body is being read: its status and headers, and the body as a stream that is read
/// straight from the socket (never copied whole), fails with <see cref="DefenderErrors.ResponseTooLarge"/> past the
/// size limit, and cancels the attempt when no bytes arrive for the stall timeout.
/// </summary>
internal sealed class DefenderApiResponse
{
    private const int UnknownLengthStart = 16 * 1024;
    private const int MaxArrayLength = 0x7FFFFFC7;

    private readonly BodyStream _body;
    private readonly long _maxBytes;
    private readonly Func<DefenderApiException> _tooLarge;

    internal DefenderApiResponse(HttpMethod method, Uri uri, HttpResponseMessage message, Stream content, long maxBytes, Action<bool> stallTimer, Func<DefenderApiException> tooLarge)
    {
        Method = method;
        Uri = uri;
        Message = message;
        Status = message.StatusCode;
        ContentType = message.Content.Headers.ContentType?.MediaType;
        _body = new BodyStream(content, maxBytes, stallTimer, tooLarge);
        _maxBytes = maxBytes;
        _tooLarge = tooLarge;
    }

    public HttpMethod Method { get; }

    public Uri Uri { get; }

    public HttpStatusCode Status { get; }

    public string? ContentType { get; }

    /// <summary>Headers only; read the body through <see cref="Body"/>.</summary>
    public HttpResponseMessage Message { get; }

    public Stream Body => _body;

    public long BytesRead => _body.Count;

    /// <summary>The first bytes of the body, for error messages.</summary>
    public byte[] Head => _body.Head();

    /// <summary>
    /// Reads the whole body (within the size limit and the stall timeout) into one pooled buffer and deserializes it
    /// from there: one pass over bytes already in memory is faster than resumable reading from the stream, and the
    /// buffer is cleared and given back before this returns. A <see cref="JsonException"/> says the body is not a
    /// <typeparamref name="T"/>.
    /// </summary>
    public async Task<T?> ReadJsonAsync<T>(JsonTypeInfo<T> type, CancellationToken cancellationToken)
    {
        var declared = Message.Content.Headers.ContentLength;
        if (declared > _maxBytes)
        {
            throw _tooLarge();
        }

        // One byte more than announced, so the read that finds the end needs no bigger buffer.
        var buffer = ArrayPool<byte>.Shared.Rent(declared is { } length ? Size(length + 1) : UnknownLengthStart);
        var filled = 0;
        try
        {
            int read;
            while ((read = await _body.ReadAsync(buffer, filled, buffer.Length - filled, cancellationToken).ConfigureAwait(false)) > 0)
            {
                filled += read;
                if (filled == buffer.Length)
                {
                    // Past the size limit the body stream fails, so this grows to at most one byte more than it.
                    var grown = ArrayPool<byte>.Shared.Rent(Size(Math.Min(2L * buffer.Length, _maxBytes + 1)));
                    Buffer.BlockCopy(buffer, 0, grown, 0, filled);
                    Return(buffer, filled);
                    buffer = grown;
                }
            }

            return JsonSerializer.Deserialize(new ReadOnlySpan<byte>(buffer, 0, filled), type);
        }
        finally
        {
            Return(buffer, filled);
        }
    }

    private static int Size(long bytes) => (int)Math.Min(bytes, MaxArrayLength);

    // Cleared first: the pool hands the array to other code in the process.
    private static void Return(byte[] buffer, int used)
    {
        Array.Clear(buffer, 0, used);
        ArrayPool<byte>.Shared.Return(buffer);
    }

    private sealed class BodyStream : Stream
    {
        private const int HeadLength = 160;

        private readonly Stream _inner;
        private readonly long _max;
        private readonly Action<bool> _stallTimer;
        private readonly Func<DefenderApiException> _tooLarge;
        private readonly byte[] _head = new byte[HeadLength];

        public BodyStream(Stream inner, long max, Action<bool> stallTimer, Func<DefenderApiException> tooLarge)
        {
            _inner = inner;
            _max = max;
            _stallTimer = stallTimer;
            _tooLarge = tooLarge;
        }

        public long Count { get; private set; }

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => Count; set => throw new NotSupportedException(); }

        public byte[] Head()
        {
            var length = (int)Math.Min(Count, HeadLength);
            var head = new byte[length];
            Array.Copy(_head, head, length);
            return head;
        }

        public override async Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        {
            _stallTimer(true);
            int read;
            try
            {
                read = await _inner.ReadAsync(buffer, offset, count, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                _stallTimer(false);
            }

            return Counted(buffer, offset, read);
        }

        public override int Read(byte[] buffer, int offset, int count) =>
            ReadAsync(buffer, offset, count, CancellationToken.None).GetAwaiter().GetResult();

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _inner.Dispose();
            }

            base.Dispose(disposing);
        }

        private int Counted(byte[] buffer, int offset, int read)
        {
            if (Count < HeadLength)
            {
                Array.Copy(buffer, offset, _head, (int)Count, (int)Math.Min(read, HeadLength - Count));
            }

            Count += read;
            if (Count > _max)
            {
                throw _tooLarge();
            }

            return read;
        }
    }
}
