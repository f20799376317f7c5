using System;
using System.Net;

namespace MdApiTokens.Core.Defender;

/// <summary>
/// A failed call to the Microsoft 365 Defender API: it concerns one tenant or one incident, so a pipeline over many
/// tenants reports it and goes on. Carries the API's own error code, message and tracking id when it sent them.
/// </summary>
public sealed class DefenderApiException : MdApiTokensException
{
    public DefenderApiException(string errorId, ErrorKind kind, string message, object? target, string? recommendedAction, HttpStatusCode? statusCode = null, DefenderApiError? apiError = null, Exception? innerException = null)
        : base(errorId, kind, message, target, recommendedAction, innerException, ErrorScope.Item)
    {
        StatusCode = statusCode;
        ApiError = apiError;
    }

    /// <summary>The HTTP status of the last response, or null when none arrived.</summary>
    public HttpStatusCode? StatusCode { get; }

    /// <summary>The <c>{"error":{"code","message","target"}}</c> body of the last response, when it had one.</summary>
    public DefenderApiError? ApiError { get; }

    /// <summary>When the API said the call may be tried again (from Retry-After), when it said so.</summary>
    public DateTimeOffset? RetryAt { get; init; }
}

/// <summary>The error body the Defender APIs send: a code such as <c>ODataError</c>, a message, and a tracking id.</summary>
public sealed class DefenderApiError
{
    public DefenderApiError(string? code, string? message, string? target)
    {
        Code = code;
        Message = message;
        Target = target;
    }

    public string? Code { get; }

    public string? Message { get; }

    /// <summary>The tracking id Microsoft support asks for.</summary>
    public string? Target { get; }

    public override string ToString() =>
        (Code, Message) switch
        {
            (null, null) => "(no details)",
            (_, null) => Code!,
            (null, _) => Message!,
            _ => $"{Code}: {Message}",
        } + (Target is null ? "" : $" (tracking id {Target})");
}
