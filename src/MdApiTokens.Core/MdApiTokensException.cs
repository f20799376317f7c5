using System;

namespace MdApiTokens.Core;

/// <summary>What kind of failure an <see cref="MdApiTokensException"/> is; the module maps it to a PowerShell ErrorCategory of the same name.</summary>
public enum ErrorKind
{
    NotSpecified,
    InvalidArgument,
    InvalidData,
    InvalidOperation,
    ObjectNotFound,
    PermissionDenied,
    ResourceExists,
    ResourceBusy,
    ResourceUnavailable,
    AuthenticationError,
    SecurityError,
    ConnectionError,
    OperationTimeout,
    ProtocolError,
    LimitsExceeded,
    QuotaExceeded,
    ReadError,
    WriteError,
    OperationStopped,
}

/// <summary>How much of a command a failure ends: the cmdlet base class stops the whole invocation, or reports it and goes on with the next item.</summary>
public enum ErrorScope
{
    /// <summary>Nothing can go on (a broken store, a bad parameter): a terminating error.</summary>
    Invocation,

    /// <summary>About one input item (a name, an id, a tenant): a non-terminating error; the items after it are still done.</summary>
    Item,
}

/// <summary>A failure a user can act on: a stable error id, its kind, the object it concerns and what to do about it. Messages never contain secrets.</summary>
public class MdApiTokensException : Exception
{
    public MdApiTokensException(string errorId, ErrorKind kind, string message, object? target = null, string? recommendedAction = null, Exception? innerException = null, ErrorScope scope = ErrorScope.Invocation)
        : base(message, innerException)
    {
        ErrorId = errorId;
        Kind = kind;
        Target = target;
        RecommendedAction = recommendedAction;
        Scope = scope;
    }

    /// <summary>Stable identifier, e.g. <c>ApiTokenStoreCorrupt</c>; scripts and tests match on it.</summary>
    public string ErrorId { get; }

    public ErrorKind Kind { get; }

    /// <summary>The object the error is about (a path, a token id, a tenant id); never a secret.</summary>
    public object? Target { get; }

    public string? RecommendedAction { get; }

    /// <summary>Whether the failure ends the whole command or only the item it concerns; decided where the failure is known.</summary>
    public ErrorScope Scope { get; }
}
