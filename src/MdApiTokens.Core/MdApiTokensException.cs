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

/// <summary>A failure a user can act on: a stable error id, its kind, the object it concerns and what to do about it. Messages never contain secrets.</summary>
public class MdApiTokensException : Exception
{
    public MdApiTokensException(string errorId, ErrorKind kind, string message, object? target = null, string? recommendedAction = null, Exception? innerException = null)
        : base(message, innerException)
    {
        ErrorId = errorId;
        Kind = kind;
        Target = target;
        RecommendedAction = recommendedAction;
    }

    /// <summary>Stable identifier, e.g. <c>ApiTokenStoreCorrupt</c>; scripts and tests match on it.</summary>
    public string ErrorId { get; }

    public ErrorKind Kind { get; }

    /// <summary>The object the error is about (a path, a token id, a tenant id); never a secret.</summary>
    public object? Target { get; }

    public string? RecommendedAction { get; }
}
