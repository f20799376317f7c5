using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using MdApiTokens.Core.Defender;
using MdApiTokens.Core.Shared;

namespace MdApiTokens.Commands.Defender;

/// <summary>
/// Runs an advanced hunting (KQL) query in each piped tenant, through the Defender API or Microsoft Graph as the
/// token's audience says, and writes typed rows labelled with their tenant (or one result set per tenant with -AsResultSet).
/// </summary>
[Cmdlet(VerbsLifecycle.Invoke, "DefenderHuntingQuery")]
[OutputType(typeof(PSObject))]
[OutputType(typeof(DefenderHuntingResult))]
public sealed class InvokeDefenderHuntingQueryCommand : DefenderCmdlet
{
    /// <summary>Key of a <see cref="DefenderRequestPacer"/> used for hunting instead of the process-wide one (tests).</summary>
    internal const string PacerKey = "DefenderHuntingPacer";

    /// <summary>The query in Kusto Query Language.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [ValidateNotNullOrEmpty]
    public string Query { get; set; } = null!;

    /// <summary>Graph only: how far back the query looks (sent as an ISO 8601 duration).</summary>
    [Parameter]
    public TimeSpan Timespan { get; set; }

    /// <summary>The Microsoft Graph base, used when the token is for Graph; wins over -Cloud.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateNotNull]
    public Uri? GraphUri { get; set; }

    /// <summary>One result set per tenant (rows, schema, statistics) instead of the rows.</summary>
    [Parameter]
    public SwitchParameter AsResultSet { get; set; }

    private protected override string ItemNoun => "rows";

    protected override void ProcessRecordCore()
    {
        var cloud = IsBound(nameof(Cloud)) ? Cloud : (AzureCloud?)null;
        var defenderApi = DefenderApiEndpoint.Resolve(ApiUri, IsBound(nameof(Region)) ? Region : null, cloud);
        var graphApi = MicrosoftGraphEndpoint.Resolve(GraphUri, cloud);
        var options = DefenderHuntingClient.ConfigureOptions(
            CreateOptions(),
            ModuleServices.Get<DefenderRequestPacer>(PacerKey),
            ModuleServices.Get<object>(DefenderModuleServices.RequestTimeoutKey) as TimeSpan?);
        var client = new DefenderHuntingClient(defenderApi, graphApi, SecretText.Unwrap(AccessToken), TenantId, DefenderModuleServices.Handler, options);
        WriteVerbose($"Using advanced hunting through {client.Route} at {client.ApiBase} for tenant {client.TenantId ?? "(unknown)"}.");
        WarnIfTenantUnknown(client.TenantId);

        // What this record asks for is read here: the tenant's work runs beside the next records.
        var query = Query;
        var timespan = IsBound(nameof(Timespan)) ? Timespan : (TimeSpan?)null;
        var asResultSet = AsResultSet.IsPresent;
        StartTenant(client.ApiBase, client.TenantId, client, token => RunAsync(client, query, timespan, asResultSet, token));
    }

    private async Task RunAsync(DefenderHuntingClient client, string query, TimeSpan? timespan, bool asResultSet, CancellationToken cancellationToken)
    {
        var tenant = client.TenantId;
        var result = await client.RunAsync(query, timespan, row => Row(row, tenant), cancellationToken).ConfigureAwait(false);
        await WriteFromPipelineThreadAsync(() => Write(result, tenant, asResultSet), cancellationToken).ConfigureAwait(false);
    }

    private void Write(DefenderHuntingResult result, string? tenant, bool asResultSet)
    {
        foreach (var note in result.Notes)
        {
            WriteWarning($"Tenant {tenant ?? "(unknown)"}: {note}");
        }

        if (result.ExecutionTime is { } time)
        {
            WriteVerbose($"The query ran {time.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture)} s in tenant {tenant ?? "(unknown)"}.");
        }

        if (asResultSet)
        {
            WriteObject(result);
        }
        else
        {
            foreach (var row in result.Rows)
            {
                WriteObject(row);
            }
        }

        Progress.Items(result.Rows.Count);
    }

    // The tenant first, then the columns; a column the query itself calls TenantId is the data's own and wins.
    private static object Row(IReadOnlyList<KeyValuePair<string, object?>> values, string? tenant)
    {
        var row = new PSObject();
        if (!values.Any(v => string.Equals(v.Key, "TenantId", StringComparison.OrdinalIgnoreCase)))
        {
            row.Properties.Add(new PSNoteProperty("TenantId", tenant));
        }

        foreach (var value in values)
        {
            PowerShellJson.AddProperty(row, value.Key, PowerShellJson.ToPowerShell(value.Value));
        }

        return row;
    }
}
