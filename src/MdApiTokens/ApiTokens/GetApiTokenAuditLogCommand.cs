using System;
using System.Linq;
using System.Management.Automation;
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

    /// <summary>Only the newest this many entries.</summary>
    [Parameter]
    [ValidateRange(1, int.MaxValue)]
    public int Last { get; set; }

    protected override void ProcessRecordCore()
    {
        var entries = CreateService().ReadAuditLog(out var unreadable).AsEnumerable();
        if (unreadable > 0)
        {
            WriteWarning($"{unreadable} line(s) of the audit log could not be read and were skipped.");
        }

        if (Action is { Length: > 0 })
        {
            entries = entries.Where(e => Action.Contains(e.Action));
        }

        if (IsBound(nameof(After)))
        {
            var after = new DateTimeOffset(After.Kind == DateTimeKind.Unspecified ? DateTime.SpecifyKind(After, DateTimeKind.Local) : After);
            entries = entries.Where(e => e.Time >= after);
        }

        var list = entries.ToList();
        if (IsBound(nameof(Last)) && list.Count > Last)
        {
            list = list.Skip(list.Count - Last).ToList();
        }

        WriteObject(list, enumerateCollection: true);
    }
}
