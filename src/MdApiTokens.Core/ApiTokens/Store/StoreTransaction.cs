using System.Collections.Generic;

namespace MdApiTokens.Core.ApiTokens;

/// <summary>One change to the store, under its lock: the document to change and the audit entries to append.</summary>
public sealed class StoreTransaction
{
    private readonly List<AuditEntry> _audit = new();

    internal StoreTransaction(StoreDocument document, bool isNew)
    {
        Document = document;
        IsNew = isNew;
        Changed = isNew;
    }

    public StoreDocument Document { get; }

    /// <summary>True when this change creates the store.</summary>
    public bool IsNew { get; }

    internal bool Changed { get; private set; }

    internal IReadOnlyList<AuditEntry> AuditEntries => _audit;

    /// <summary>Marks the document changed, so it is written.</summary>
    public void MarkChanged() => Changed = true;

    /// <summary>Marks the document changed and records <paramref name="entry"/> in the audit log once it is written.</summary>
    public void Audit(AuditEntry entry)
    {
        _audit.Add(entry);
        Changed = true;
    }
}
