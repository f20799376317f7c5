using System;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using MdApiTokens.Core.Defender;

namespace MdApiTokens.Commands.Defender;

/// <summary>Lists a tenant's Microsoft 365 Defender incidents, page by page as they arrive, or reads incidents by id.</summary>
[Cmdlet(VerbsCommon.Get, "DefenderIncident", DefaultParameterSetName = ListSet)]
[OutputType(typeof(DefenderIncident))]
public sealed class GetDefenderIncidentCommand : DefenderCmdlet
{
    private const string ListSet = "List";
    private const string ByIdSet = "ById";

    /// <summary>Incident ids to read (GET /api/incidents/{id}).</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = ByIdSet, ValueFromPipelineByPropertyName = true)]
    [ValidateRange(1, long.MaxValue)]
    public long[] IncidentId { get; set; } = Array.Empty<long>();

    /// <summary>A raw OData $filter, combined with the typed criteria.</summary>
    [Parameter(ParameterSetName = ListSet)]
    [ValidateNotNullOrEmpty]
    public string? Filter { get; set; }

    [Parameter(ParameterSetName = ListSet)]
    [ValidateNotNullOrEmpty]
    public DefenderIncidentStatus[]? Status { get; set; }

    [Parameter(ParameterSetName = ListSet)]
    [ValidateNotNullOrEmpty]
    public string? AssignedTo { get; set; }

    [Parameter(ParameterSetName = ListSet)]
    public DateTime LastUpdatedAfter { get; set; }

    [Parameter(ParameterSetName = ListSet)]
    public DateTime CreatedAfter { get; set; }

    /// <summary>Severities to keep, filtered on the client (the API cannot filter on severity).</summary>
    [Parameter(ParameterSetName = ListSet)]
    [ValidateNotNullOrEmpty]
    public DefenderIncidentSeverity[]? Severity { get; set; }

    /// <summary>The page size ($top), 1 to 100.</summary>
    [Parameter(ParameterSetName = ListSet)]
    [ValidateRange(1, DefenderIncidentQuery.MaxPageSize)]
    public int Top { get; set; } = DefenderIncidentQuery.MaxPageSize;

    /// <summary>Stop after this many incidents.</summary>
    [Parameter(ParameterSetName = ListSet)]
    [ValidateRange(1, int.MaxValue)]
    public int First { get; set; }

    protected override void ProcessRecordCore()
    {
        var client = CreateClient();
        if (ParameterSetName == ByIdSet)
        {
            var ids = IncidentId;
            StartTenant(client, (c, token) => WriteEachIncidentAsync(ids, c.GetIncidentAsync, token));
            return;
        }

        DefenderIncidentPager pager;
        try
        {
            pager = client.ListIncidents(BuildQuery());
        }
        catch
        {
            client.Dispose();
            throw;
        }

        WriteVerbose(pager.Filter is null ? "Listing all incidents." : $"Listing incidents with $filter={pager.Filter}");
        StartTenant(client, (_, token) => ListAsync(pager, token));
    }

    private async Task ListAsync(DefenderIncidentPager pager, CancellationToken cancellationToken)
    {
        while (await pager.NextPageAsync(cancellationToken).ConfigureAwait(false) is { } page)
        {
            await WriteFromPipelineThreadAsync(() =>
            {
                foreach (var incident in page)
                {
                    WriteIncident(incident);
                }

                Progress.Page(page.Count);
            }, cancellationToken).ConfigureAwait(false);
        }
    }

    private DefenderIncidentQuery BuildQuery() => new()
    {
        Filter = Filter,
        Status = Status,
        AssignedTo = AssignedTo,
        LastUpdatedAfter = IsBound(nameof(LastUpdatedAfter)) ? new DateTimeOffset(LastUpdatedAfter) : null,
        CreatedAfter = IsBound(nameof(CreatedAfter)) ? new DateTimeOffset(CreatedAfter) : null,
        Severity = Severity,
        PageSize = Top,
        First = IsBound(nameof(First)) ? First : null,
    };
}
