namespace MdApiTokens.Core.ApiTokens;

/// <summary>A parsed store file and the exact bytes it was parsed from; its document is shared and must not be changed.</summary>
internal sealed class StoreSnapshot
{
    public StoreSnapshot(byte[] bytes, StoreDocument document)
    {
        Bytes = bytes;
        Document = document;
    }

    public byte[] Bytes { get; }

    public StoreDocument Document { get; }
}
