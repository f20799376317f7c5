using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using MdApiTokens.Core;

namespace MdApiTokens.Commands;

/// <summary>
/// Base of every cmdlet in the module: turns Core failures into ErrorRecords with their stable ids and categories
/// (terminating or not, as the failure's <see cref="ErrorScope"/> says), keeps raw .NET exceptions from escaping, lets
/// engine exceptions pass as PowerShell's own, and gives each invocation one cancellation token that Ctrl+C cancels and
/// one way to wait on async work while writing from the pipeline thread.
/// </summary>
public abstract class MdApiTokensCmdlet : PSCmdlet
{
    private static readonly Action s_wake = () => { };

    private readonly CancellationTokenSource _cancellation = new();
    private readonly BlockingCollection<Action> _pipelineWork = new(new ConcurrentQueue<Action>());
    private readonly int _pipelineThreadId = Environment.CurrentManagedThreadId;

    /// <summary>Cancelled when the user presses Ctrl+C or the pipeline is stopped.</summary>
    protected CancellationToken CancellationToken => _cancellation.Token;

    // Nothing has been done yet in BeginProcessing, so no failure there can be about one item: all end the command.
    protected sealed override void BeginProcessing() => Run(BeginProcessingCore, itemScopeAllowed: false);

    protected sealed override void ProcessRecord() => Run(ProcessRecordCore);

    protected sealed override void EndProcessing()
    {
        try
        {
            Run(EndProcessingCore);
        }
        finally
        {
            _pipelineWork.CompleteAdding();
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

    /// <summary>
    /// Runs <paramref name="action"/> for each item; a failure scoped to one item (<see cref="ErrorScope.Item"/>) is written
    /// as a non-terminating error and the next item is done. Anything else ends the command as usual.
    /// </summary>
    protected void ForEachItem<T>(IEnumerable<T> items, Action<T> action)
    {
        foreach (var item in items)
        {
            try
            {
                action(item);
            }
            catch (MdApiTokensException e) when (e.Scope == ErrorScope.Item)
            {
                WriteError(e);
            }
        }
    }

    /// <summary>
    /// Runs <paramref name="action"/> on the pipeline thread: at once when called from it, otherwise while the pipeline
    /// thread waits in <see cref="Await{T}"/>. Background work writes output, verbose lines and progress through this.
    /// </summary>
    protected void OnPipelineThread(Action action)
    {
        if (Environment.CurrentManagedThreadId == _pipelineThreadId)
        {
            action();
            return;
        }

        try
        {
            _pipelineWork.Add(action);
        }
        catch (Exception e) when (e is InvalidOperationException or ObjectDisposedException)
        {
            // The command has ended: nothing is listening any more.
        }
    }

    /// <summary>
    /// Waits for <paramref name="task"/> on the pipeline thread, running what background work posted with
    /// <see cref="OnPipelineThread"/> meanwhile; Ctrl+C stops the wait even if the task ignores its token.
    /// </summary>
    protected T Await<T>(Task<T> task)
    {
        WaitRunningPipelineWork(task);
        return task.GetAwaiter().GetResult();
    }

    /// <inheritdoc cref="Await{T}(Task{T})"/>
    protected void Await(Task task)
    {
        WaitRunningPipelineWork(task);
        task.GetAwaiter().GetResult();
    }

    private void WaitRunningPipelineWork(Task task)
    {
        if (!task.IsCompleted)
        {
            task.ContinueWith(_ => OnPipelineThread(s_wake), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }

        try
        {
            while (!task.IsCompleted)
            {
                _pipelineWork.Take(CancellationToken)();
            }
        }
        catch (OperationCanceledException) when (_cancellation.IsCancellationRequested)
        {
            throw new PipelineStoppedException();
        }

        while (_pipelineWork.TryTake(out var pending))
        {
            pending();
        }
    }

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

    private void Run(Action action, bool itemScopeAllowed = true)
    {
        try
        {
            action();
        }
        catch (MdApiTokensException e) when (e.Scope == ErrorScope.Item && itemScopeAllowed)
        {
            WriteError(e);
        }
        catch (MdApiTokensException e)
        {
            ThrowTerminatingError(ToErrorRecord(e));
        }
        catch (OperationCanceledException) when (_cancellation.IsCancellationRequested)
        {
            throw new PipelineStoppedException();
        }
        catch (Exception e) when (!IsEngineException(e) && e is not OperationCanceledException and not OutOfMemoryException)
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

    // The engine's own failures (a stopped pipeline, a prompt a non-interactive host cannot show, -ErrorAction Stop
    // turning a written error into an exception) already carry their ErrorRecord: they pass through untouched.
    private static bool IsEngineException(Exception e) =>
        e is RuntimeException or HaltCommandException or IContainsErrorRecord;
}
