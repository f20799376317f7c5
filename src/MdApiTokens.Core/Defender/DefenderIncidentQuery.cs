using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;

namespace MdApiTokens.Core.Defender;

/// <summary>Which incidents a listing returns. Everything given must hold; severity is applied on the client.</summary>
public sealed class DefenderIncidentQuery
{
    /// <summary>The API's largest page.</summary>
    public const int MaxPageSize = 100;

    /// <summary>A raw OData <c>$filter</c>, combined with <c>and</c> with the typed criteria.</summary>
    public string? Filter { get; set; }

    /// <summary>Keeps incidents with one of these statuses (server side).</summary>
    public IReadOnlyCollection<DefenderIncidentStatus>? Status { get; set; }

    /// <summary>Keeps incidents assigned to exactly this owner (server side).</summary>
    public string? AssignedTo { get; set; }

    /// <summary>Keeps incidents last updated at or after this instant (server side, <c>lastUpdateTime ge</c>).</summary>
    public DateTimeOffset? LastUpdatedAfter { get; set; }

    /// <summary>Keeps incidents created at or after this instant (server side, <c>createdTime ge</c>).</summary>
    public DateTimeOffset? CreatedAfter { get; set; }

    /// <summary>Keeps incidents with one of these severities (client side: the API cannot filter on severity).</summary>
    public IReadOnlyCollection<DefenderIncidentSeverity>? Severity { get; set; }

    /// <summary>How many incidents to ask for per request (<c>$top</c>, 1 to 100).</summary>
    public int PageSize { get; set; } = MaxPageSize;

    /// <summary>Stop after this many incidents (after the severity filter); null for all.</summary>
    public int? First { get; set; }

    /// <summary>The <c>$filter</c> to send, or null for none. Strings are quoted with '' for ', instants are UTC ISO 8601.</summary>
    public string? BuildFilter()
    {
        var clauses = new List<string>();
        if (!string.IsNullOrWhiteSpace(Filter))
        {
            clauses.Add(Filter!.Trim());
        }

        if (Status is { Count: > 0 })
        {
            var statuses = Status.Distinct().Select(s => "status eq " + ODataLiteral.String(s.ToString())).ToList();
            clauses.Add(statuses.Count == 1 ? statuses[0] : string.Join(" or ", statuses));
        }

        if (AssignedTo is not null)
        {
            clauses.Add("assignedTo eq " + ODataLiteral.String(AssignedTo));
        }

        if (LastUpdatedAfter is { } updated)
        {
            clauses.Add("lastUpdateTime ge " + ODataLiteral.DateTimeOffset(updated));
        }

        if (CreatedAfter is { } created)
        {
            clauses.Add("createdTime ge " + ODataLiteral.DateTimeOffset(created));
        }

        return clauses.Count switch
        {
            0 => null,
            1 => clauses[0],
            _ => string.Join(" and ", clauses.Select(c => "(" + c + ")")),
        };
    }

    /// <summary>Throws when a setting is out of range.</summary>
    public void Validate()
    {
        if (PageSize is < 1 or > MaxPageSize)
        {
            throw new MdApiTokensException(DefenderErrors.QueryInvalid, ErrorKind.InvalidArgument,
                $"The page size must be between 1 and {MaxPageSize}; it is {PageSize}.", PageSize);
        }

        if (First is < 1)
        {
            throw new MdApiTokensException(DefenderErrors.QueryInvalid, ErrorKind.InvalidArgument, $"-First must be at least 1; it is {First}.", First);
        }
    }

    /// <summary>Whether an incident passes the client-side criteria.</summary>
    public bool MatchesOnClient(DefenderIncident incident) =>
        Severity is not { Count: > 0 }
        || Severity.Any(s => string.Equals(s.ToString(), incident.Severity, StringComparison.OrdinalIgnoreCase));
}

/// <summary>OData URL literals as the incidents API parses them.</summary>
public static class ODataLiteral
{
    /// <summary>A string literal: single-quoted, each ' doubled.</summary>
    public static string String(string value) => "'" + (value ?? throw new ArgumentNullException(nameof(value))).Replace("'", "''") + "'";

    /// <summary>An Edm.DateTimeOffset literal in UTC with milliseconds, e.g. <c>2024-05-01T10:00:00.000Z</c> (truncated, never rounded up, so a "ge" misses nothing).</summary>
    public static string DateTimeOffset(DateTimeOffset value)
    {
        var utc = value.ToUniversalTime();
        utc = utc.AddTicks(-(utc.Ticks % TimeSpan.TicksPerMillisecond));
        return utc.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
    }
}
