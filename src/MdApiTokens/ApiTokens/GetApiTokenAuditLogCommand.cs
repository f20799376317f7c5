using System;
using System.Management.Automation;
using MdApiTokens.Core.ApiTokens;
using MdApiTokens.Core.Store;

namespace MdApiTokens.Commands.ApiTokens;

/// <summary>Reads the store's audit log: every entry for a global admin, else the caller's own.</summary>
[Cmdlet(VerbsCommon.Get, "ApiTokenAuditLog")]
[OutputType(typeof(AuditEntry))]
public sealed class GetApiTokenAuditLogCommand : ApiTokenStoreCmdlet
{
    /// <summary>Only these actions.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public AuditAction[]? Action { get; set; }

    /// <summary>Only entries at or after this time.</summary>
    [Parameter]
    public DateTime After { get; set; }

    /// <summary>Only entries numbered after this one (the Sequence of the last entry an earlier export read).</summary>
    [Parameter]
    [ValidateRange(0, long.MaxValue)]
    public long AfterSequence { get; set; }

    /// <summary>Only the newest this many entries.</summary>
    [Parameter]
    [ValidateRange(1, int.MaxValue)]
    public int Last { get; set; }

    protected override void ProcessRecordCore()
    {
        var query = new AuditLogQuery
        {
            Actions = Action,
            After = IsBound(nameof(After)) ? new DateTimeOffset(After.Kind == DateTimeKind.Unspecified ? DateTime.SpecifyKind(After, DateTimeKind.Local) : After) : null,
            AfterSequence = IsBound(nameof(AfterSequence)) ? AfterSequence : null,
            Last = IsBound(nameof(Last)) ? Last : null,
        };
        var entries = CreateService().ReadAuditLog(out var unreadable, query);
        if (unreadable > 0)
        {
            WriteWarning($"{unreadable} line(s) of the audit log could not be read and were skipped.");
        }

        WriteObject(entries, enumerateCollection: true);
    }
}
