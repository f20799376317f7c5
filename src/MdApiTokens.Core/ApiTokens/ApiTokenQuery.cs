using System;
using System.Collections.Generic;
using MdApiTokens.Core.Store;

namespace MdApiTokens.Core.ApiTokens;

/// <summary>Which tokens a listing returns; every criterion given must hold.</summary>
public sealed class ApiTokenQuery
{
    /// <summary>Keeps tokens whose name this accepts (the module passes wildcard matching).</summary>
    public Func<string, bool>? NameFilter { get; set; }

    /// <summary>Keeps tokens with one of these ids.</summary>
    public IReadOnlyCollection<string>? Ids { get; set; }

    /// <summary>Keeps tokens whose status, computed now, is this.</summary>
    public ApiTokenStatus? Status { get; set; }
}

/// <summary>Which audit entries a reading returns; every criterion given must hold.</summary>
public sealed class AuditLogQuery
{
    /// <summary>Keeps entries of these actions.</summary>
    public IReadOnlyCollection<AuditAction>? Actions { get; set; }

    /// <summary>Keeps entries at or after this time.</summary>
    public DateTimeOffset? After { get; set; }

    /// <summary>Keeps entries numbered after this one, so an export resumes exactly where the last one stopped.</summary>
    public long? AfterSequence { get; set; }

    /// <summary>Keeps only the newest this many of the entries the other criteria keep.</summary>
    public int? Last { get; set; }
}
