using System;
using System.Collections.Generic;
using System.Management.Automation;
using MdApiTokens.Core.Defender;

namespace MdApiTokens.Commands.Defender;

/// <summary>Changes incidents (status, owner, classification, determination, tags) or adds a comment; returns each updated incident.</summary>
[Cmdlet(VerbsCommon.Set, "DefenderIncident", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(DefenderIncident))]
public sealed class SetDefenderIncidentCommand : DefenderCmdlet
{
    private DefenderIncidentUpdate _update = new();

    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateRange(1, long.MaxValue)]
    public long[] IncidentId { get; set; } = Array.Empty<long>();

    [Parameter]
    public DefenderIncidentStatus Status { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? AssignedTo { get; set; }

    [Parameter]
    public DefenderIncidentClassification Classification { get; set; }

    [Parameter]
    public DefenderIncidentDetermination Determination { get; set; }

    /// <summary>The incident's new tags: they replace the existing ones.</summary>
    [Parameter]
    [AllowEmptyCollection]
    [ValidateNotNull]
    public string[]? Tag { get; set; }

    /// <summary>A comment to add.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Comment { get; set; }

    protected override void BeginProcessingCore()
    {
        _update = new DefenderIncidentUpdate
        {
            Status = IsBound(nameof(Status)) ? Status : null,
            AssignedTo = AssignedTo,
            Classification = IsBound(nameof(Classification)) ? Classification : null,
            Determination = IsBound(nameof(Determination)) ? Determination : null,
            Tags = Tag,
            Comment = Comment,
        };
        _update.Validate();
    }

    private protected override string ItemNoun => "incidents updated";

    protected override void ProcessRecordCore()
    {
        var client = CreateClient();
        var change = _update.Describe();
        var update = _update;

        // Confirmation is asked here, on the pipeline thread, before the tenant's updates start.
        var approved = new List<long>(IncidentId.Length);
        foreach (var id in IncidentId)
        {
            if (ShouldProcess($"Incident {id} in tenant {client.TenantId ?? "(unknown)"}", change))
            {
                approved.Add(id);
            }
        }

        if (approved.Count == 0)
        {
            client.Dispose();
            return;
        }

        StartTenant(client, (c, token) => WriteEachIncidentAsync(approved, (id, t) => c.UpdateIncidentAsync(id, update, t), token));
    }
}
