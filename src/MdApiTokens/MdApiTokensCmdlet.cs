using System;
using System.Management.Automation;
using System.Threading;
using MdApiTokens.Core;

namespace MdApiTokens.Commands;

/// <summary>
/// Base of every cmdlet in the module: turns Core failures into ErrorRecords with their stable ids and categories,
/// keeps raw .NET exceptions from escaping, and gives each invocation one cancellation token that Ctrl+C cancels.
/// </summary>
public abstract class MdApiTokensCmdlet : PSCmdlet
{
    private readonly CancellationTokenSource _cancellation = new();

    /// <summary>Cancelled when the user presses Ctrl+C or the pipeline is stopped.</summary>
    protected CancellationToken CancellationToken => _cancellation.Token;

    protected sealed override void BeginProcessing() => Run(BeginProcessingCore);

    protected sealed override void ProcessRecord() => Run(ProcessRecordCore);

    protected sealed override void EndProcessing()
    {
        try
        {
            Run(EndProcessingCore);
        }
        finally
        {
            _cancellation.Dispose();
        }
    }

    protected override void StopProcessing()
    {
        try
        {
            _cancellation.Cancel();
        }
        catch (ObjectDisposedException)
        {
        }
    }

    protected virtual void BeginProcessingCore()
    {
    }

    protected virtual void ProcessRecordCore()
    {
    }

    protected virtual void EndProcessingCore()
    {
    }

    /// <summary>Writes <paramref name="exception"/> as a non-terminating error: for a failure that concerns one input item.</summary>
    protected void WriteError(MdApiTokensException exception) => WriteError(ToErrorRecord(exception));

    /// <summary>The ErrorRecord for a Core failure: its id, the category of its kind, its target and recommended action.</summary>
    internal static ErrorRecord ToErrorRecord(MdApiTokensException exception)
    {
        var record = new ErrorRecord(exception, exception.ErrorId, ToCategory(exception.Kind), exception.Target);
        if (exception.RecommendedAction is not null)
        {
            record.ErrorDetails = new ErrorDetails(exception.Message) { RecommendedAction = exception.RecommendedAction };
        }

        return record;
    }

    internal static ErrorCategory ToCategory(ErrorKind kind) => kind switch
    {
        ErrorKind.InvalidArgument => ErrorCategory.InvalidArgument,
        ErrorKind.InvalidData => ErrorCategory.InvalidData,
        ErrorKind.InvalidOperation => ErrorCategory.InvalidOperation,
        ErrorKind.ObjectNotFound => ErrorCategory.ObjectNotFound,
        ErrorKind.PermissionDenied => ErrorCategory.PermissionDenied,
        ErrorKind.ResourceExists => ErrorCategory.ResourceExists,
        ErrorKind.ResourceBusy => ErrorCategory.ResourceBusy,
        ErrorKind.ResourceUnavailable => ErrorCategory.ResourceUnavailable,
        ErrorKind.AuthenticationError => ErrorCategory.AuthenticationError,
        ErrorKind.SecurityError => ErrorCategory.SecurityError,
        ErrorKind.ConnectionError => ErrorCategory.ConnectionError,
        ErrorKind.OperationTimeout => ErrorCategory.OperationTimeout,
        ErrorKind.ProtocolError => ErrorCategory.ProtocolError,
        ErrorKind.LimitsExceeded => ErrorCategory.LimitsExceeded,
        ErrorKind.QuotaExceeded => ErrorCategory.QuotaExceeded,
        ErrorKind.ReadError => ErrorCategory.ReadError,
        ErrorKind.WriteError => ErrorCategory.WriteError,
        ErrorKind.OperationStopped => ErrorCategory.OperationStopped,
        _ => ErrorCategory.NotSpecified,
    };

    /// <summary>True when the parameter was given on the command line or bound from the pipeline.</summary>
    protected bool IsBound(string parameterName) => MyInvocation.BoundParameters.ContainsKey(parameterName);

    private void Run(Action action)
    {
        try
        {
            action();
        }
        catch (MdApiTokensException e)
        {
            ThrowTerminatingError(ToErrorRecord(e));
        }
        catch (OperationCanceledException) when (_cancellation.IsCancellationRequested)
        {
            throw new PipelineStoppedException();
        }
        catch (Exception e) when (e is not RuntimeException and not HaltCommandException and not OperationCanceledException and not OutOfMemoryException)
        {
            // Anything Core did not anticipate still reaches the user as an ErrorRecord, not a crash.
            ThrowTerminatingError(new ErrorRecord(e, "MdApiTokensUnexpectedError", ErrorCategory.NotSpecified, null)
            {
                ErrorDetails = new ErrorDetails($"{e.GetType().Name}: {e.Message}")
                {
                    RecommendedAction = "Run the command again with -Verbose; if it persists, report it with the full error ($Error[0] | Format-List * -Force).",
                },
            });
        }
    }
}
