using System;
using System.IO;
using System.Net;
using System.Net.Http;
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
    private readonly BodyStream _body;

    internal DefenderApiResponse(HttpMethod method, Uri uri, HttpResponseMessage message, Stream content, long maxBytes, Action<bool> stallTimer, Func<DefenderApiException> tooLarge)
    {
        Method = method;
        Uri = uri;
        Message = message;
        Status = message.StatusCode;
        ContentType = message.Content.Headers.ContentType?.MediaType;
        _body = new BodyStream(content, maxBytes, stallTimer, tooLarge);
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
