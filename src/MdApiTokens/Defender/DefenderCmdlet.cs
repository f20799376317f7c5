using System;
using System.Collections;
using System.Collections.Generic;
using System.Management.Automation;
using System.Security;
using System.Threading;
using System.Threading.Tasks;
using MdApiTokens.Core;
using MdApiTokens.Core.Defender;
using MdApiTokens.Core.Shared;

namespace MdApiTokens.Commands.Defender;

/// <summary>
/// Base of the Defender cmdlets: the token and where to send it (bound by property name from Get-PartnerAccessToken's
/// output), one API client per pipeline record (a tenant), and up to -ThrottleLimit tenants worked on at a time, each
/// under its own quota. Everything is written from the pipeline thread, as it arrives. API failures concern one tenant
/// (<see cref="ErrorScope.Item"/>): they are non-terminating errors and the other tenants go on.
/// </summary>
public abstract class DefenderCmdlet : MdApiTokensCmdlet, IDisposable
{
    private readonly List<Task> _tenants = new();
    private readonly Dictionary<string, Task> _lastOfTenant = new(StringComparer.OrdinalIgnoreCase);
    private CancellationTokenSource? _tenantCancellation;
    private DefenderProgress? _progress;

    /// <summary>The bearer token: a string, a SecureString, or Get-PartnerAccessToken's output by property name.</summary>
    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true)]
    [AccessTokenTransformation]
    [ValidateNotNull]
    public SecureString AccessToken { get; set; } = null!;

    /// <summary>The customer tenant; read from the token's tid claim when not given.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string? TenantId { get; set; }

    /// <summary>The API base; wins over -Region and -Cloud.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateNotNull]
    public Uri? ApiUri { get; set; }

    /// <summary>A regional host of the public cloud.</summary>
    [Parameter]
    public DefenderApiRegion Region { get; set; }

    /// <summary>The cloud whose API host to use, as Get-PartnerAccessToken names it.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public AzureCloud Cloud { get; set; }

    /// <summary>How many tenants (piped tokens) are worked on at a time; 1 does them one after another, in order.</summary>
    [Parameter]
    [ValidateRange(1, MaxThrottleLimit)]
    public int ThrottleLimit { get; set; } = DefaultThrottleLimit;

    /// <summary>Tenants at a time by default: each has its own quota, so they do not slow each other down.</summary>
    public const int DefaultThrottleLimit = 5;

    public const int MaxThrottleLimit = 64;

    /// <summary>What the progress bar counts: "incidents" unless a command says otherwise.</summary>
    private protected virtual string ItemNoun => "incidents";

    /// <summary>This command's progress over its tenants; used on the pipeline thread only.</summary>
    private protected DefenderProgress Progress => _progress ??= new DefenderProgress(MyInvocation.MyCommand.Name, ItemNoun, ModuleServices.Clock, WriteProgress);

    public void Dispose()
    {
        // The command ended early (a downstream Select-Object -First, an error): stop what still runs.
        _tenantCancellation?.Cancel();
        _tenantCancellation?.Dispose();
        _tenantCancellation = null;
    }

    /// <summary>A client for the current record's token and API base.</summary>
    private protected DefenderIncidentClient CreateClient()
    {
        var apiBase = DefenderApiEndpoint.Resolve(ApiUri, IsBound(nameof(Region)) ? Region : null, IsBound(nameof(Cloud)) ? Cloud : null);
        var client = new DefenderIncidentClient(apiBase, SecretText.Unwrap(AccessToken), TenantId, DefenderModuleServices.Handler, CreateOptions());
        WriteVerbose($"Using the incidents API at {client.ApiBase} for tenant {client.TenantId ?? "(unknown)"}.");
        WarnIfTenantUnknown(client.TenantId);
        return client;
    }

    /// <summary>Client options for the current runspace whose log lines become verbose output and whose waits show in the progress bar.</summary>
    private protected DefenderClientOptions CreateOptions()
    {
        var progress = Progress;
        return DefenderModuleServices.CreateOptions(message => OnPipelineThread(() => WriteVerbose(message)), wait => OnPipelineThread(() => progress.Waiting(wait)));
    }

    private protected void WarnIfTenantUnknown(string? tenantId)
    {
        if (tenantId is null)
        {
            WriteWarning("The tenant is unknown: -TenantId was not given and the access token has no tid claim, so the output carries no TenantId. Give -TenantId to label it.");
        }
    }

    /// <summary>
    /// Works on one tenant (<paramref name="apiBase"/> and <paramref name="tenantId"/>) with <paramref name="client"/>, which it
    /// disposes once <paramref name="work"/> has ended: at once and to the end with -ThrottleLimit 1, else beside the other
    /// tenants (after this tenant's previous record), waiting (and writing their output meanwhile) while -ThrottleLimit are running.
    /// A failure about the tenant is written as a non-terminating error; any other ends the command.
    /// </summary>
    private protected void StartTenant(Uri apiBase, string? tenantId, IDisposable client, Func<CancellationToken, Task> work)
    {
        _tenantCancellation ??= CancellationTokenSource.CreateLinkedTokenSource(CancellationToken);
        var token = _tenantCancellation.Token;
        Progress.TenantStarted();
        if (ThrottleLimit == 1)
        {
            Await(RunTenantAsync(client, work, token));
            return;
        }

        while (_tenants.Count >= ThrottleLimit)
        {
            WaitForATenant();
        }

        // Records of one tenant (incidents piped into Set-DefenderIncident) keep their order: each waits for the one before.
        var key = DefenderRequestPacer.KeyFor(apiBase, tenantId);
        _lastOfTenant.TryGetValue(key, out var previous);
        var next = Task.Run(async () =>
        {
            if (previous is not null)
            {
                await previous.ContinueWith(static _ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default).ConfigureAwait(false);
            }

            await RunTenantAsync(client, work, token).ConfigureAwait(false);
        });
        _lastOfTenant[key] = next;
        _tenants.Add(next);

        // Write what the running tenants have sent so far before the next record arrives.
        Await(Task.CompletedTask);
    }

    /// <summary>Works on the tenant of an incidents <paramref name="client"/>; see <see cref="StartTenant(Uri, string?, IDisposable, Func{CancellationToken, Task})"/>.</summary>
    private protected void StartTenant(DefenderIncidentClient client, Func<DefenderIncidentClient, CancellationToken, Task> work) =>
        StartTenant(client.ApiBase, client.TenantId, client, token => work(client, token));

    /// <summary>Runs <paramref name="write"/> on the pipeline thread and completes when it has: a tenant's next page waits until its last one is written.</summary>
    private protected Task WriteFromPipelineThreadAsync(Action write, CancellationToken cancellationToken)
    {
        var written = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        var registration = cancellationToken.Register(() => written.TrySetCanceled());
        OnPipelineThread(() =>
        {
            try
            {
                write();
                written.TrySetResult(true);
            }
            catch (Exception e)
            {
                // The engine's own (a downstream Select-Object -First stopping the pipeline) goes on up the pipeline thread.
                written.TrySetException(e);
                throw;
            }
            finally
            {
                registration.Dispose();
            }
        });
        return written.Task;
    }

    protected override void EndProcessingCore()
    {
        Progress.InputEnded();
        while (_tenants.Count > 0)
        {
            WaitForATenant();
        }

        Progress.Complete();
    }

    private void WaitForATenant()
    {
        try
        {
            Await(Task.WhenAny(_tenants));
        }
        catch
        {
            _tenantCancellation?.Cancel();
            CompleteProgressWhileStopping();
            throw;
        }

        for (var i = _tenants.Count - 1; i >= 0; i--)
        {
            if (_tenants[i].IsCompleted)
            {
                var done = _tenants[i];
                _tenants.RemoveAt(i);
                if (done.IsFaulted || done.IsCanceled)
                {
                    _tenantCancellation?.Cancel();
                    CompleteProgressWhileStopping();
                    done.GetAwaiter().GetResult();
                }
            }
        }
    }

    // Best effort: a stopping pipeline refuses writes, and the host then clears the bar itself.
    private void CompleteProgressWhileStopping()
    {
        try
        {
            _progress?.Complete();
        }
        catch (PipelineStoppedException)
        {
        }
    }

    private async Task RunTenantAsync(IDisposable client, Func<CancellationToken, Task> work, CancellationToken cancellationToken)
    {
        using (client)
        {
            try
            {
                await work(cancellationToken).ConfigureAwait(false);
            }
            catch (MdApiTokensException e) when (e.Scope == ErrorScope.Item)
            {
                await WriteFromPipelineThreadAsync(() => WriteError(e), cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                OnPipelineThread(() => Progress.TenantDone());
            }
        }
    }

    /// <summary>
    /// One incident per id, fetched (read or updated) one after another and written from the pipeline thread as each
    /// arrives; a failure about one incident (<see cref="ErrorScope.Item"/>) is written and the next id is done.
    /// </summary>
    private protected async Task WriteEachIncidentAsync(IEnumerable<long> ids, Func<long, CancellationToken, Task<DefenderIncident>> fetch, CancellationToken cancellationToken)
    {
        foreach (var id in ids)
        {
            try
            {
                var incident = await fetch(id, cancellationToken).ConfigureAwait(false);
                await WriteFromPipelineThreadAsync(() =>
                {
                    WriteIncident(incident);
                    Progress.Items(1);
                }, cancellationToken).ConfigureAwait(false);
            }
            catch (MdApiTokensException e) when (e.Scope == ErrorScope.Item)
            {
                await WriteFromPipelineThreadAsync(() => WriteError(e), cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Writes an incident, with the fields the module's type does not know added as properties so scripts can still read them.</summary>
    private protected void WriteIncident(DefenderIncident incident)
    {
        var wrapped = PSObject.AsPSObject(incident);
        AddUnknownFields(wrapped, incident.AdditionalProperties);
        foreach (var alert in incident.Alerts)
        {
            AddUnknownFields(PSObject.AsPSObject(alert), alert.AdditionalProperties);
        }

        WriteObject(wrapped);
    }

    private static void AddUnknownFields(PSObject target, IReadOnlyDictionary<string, object?> fields)
    {
        foreach (var field in fields)
        {
            PowerShellJson.AddProperty(target, field.Key, PowerShellJson.ToPowerShell(field.Value));
        }
    }
}
