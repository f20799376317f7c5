using System;
using System.Collections;
using System.Collections.Generic;
using System.Management.Automation;
using System.Security;
using MdApiTokens.Core;
using MdApiTokens.Core.Defender;
using MdApiTokens.Core.Shared;

namespace MdApiTokens.Commands.Defender;

/// <summary>
/// Base of the incidents cmdlets: the token and where to send it (bound by property name from
/// Get-PartnerAccessToken's output), one API client per pipeline record, and progress messages written as verbose
/// output from the pipeline thread. API failures concern one tenant (<see cref="ErrorScope.Item"/>), so a pipeline
/// over many customers goes on.
/// </summary>
public abstract class DefenderCmdlet : MdApiTokensCmdlet
{
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

    /// <summary>A client for the current record's token and API base.</summary>
    private protected DefenderIncidentClient CreateClient()
    {
        var apiBase = DefenderApiEndpoint.Resolve(ApiUri, IsBound(nameof(Region)) ? Region : null, IsBound(nameof(Cloud)) ? Cloud : null);
        var token = SecretText.Unwrap(AccessToken);
        var client = new DefenderIncidentClient(apiBase, token, TenantId, DefenderModuleServices.Handler, DefenderModuleServices.CreateOptions(message => OnPipelineThread(() => WriteVerbose(message))));
        WriteVerbose($"Using the incidents API at {client.ApiBase} for tenant {client.TenantId ?? "(unknown)"}.");
        if (client.TenantId is null)
        {
            WriteWarning("The tenant is unknown: -TenantId was not given and the access token has no tid claim, so the output carries no TenantId. Give -TenantId to label it.");
        }

        return client;
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
            if (target.Properties[field.Key] is null)
            {
                target.Properties.Add(new PSNoteProperty(field.Key, ToPowerShell(field.Value)));
            }
        }
    }

    // Nested JSON objects become PSCustomObjects, as ConvertFrom-Json would give them.
    private static object? ToPowerShell(object? value)
    {
        switch (value)
        {
            case IDictionary<string, object?> map:
                var o = new PSObject();
                foreach (var pair in map)
                {
                    o.Properties.Add(new PSNoteProperty(pair.Key, ToPowerShell(pair.Value)));
                }

                return o;
            case object?[] array:
                var items = new object?[array.Length];
                for (var i = 0; i < array.Length; i++)
                {
                    items[i] = ToPowerShell(array[i]);
                }

                return items;
            default:
                return value;
        }
    }
}
