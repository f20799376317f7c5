using System;
using System.Collections.Generic;

namespace MdApiTokens.Core.Defender;

/// <summary>A column of a hunting result: its name and the type the API's schema gives it (DateTime, Int, Long, String, Dynamic...).</summary>
public sealed record DefenderHuntingColumn(string Name, string Type)
{
    public override string ToString() => $"{Name} ({Type})";
}

/// <summary>
/// One tenant's result set of an advanced hunting query: the typed rows, the schema, and the statistics the API sent
/// (kept here so they do not clutter the rows). Invoke-DefenderHuntingQuery writes the rows, or this with -AsResultSet.
/// </summary>
public sealed class DefenderHuntingResult
{
    internal DefenderHuntingResult(string? tenantId, DefenderHuntingRoute route, Uri apiUri, IReadOnlyList<DefenderHuntingColumn> columns, IReadOnlyList<object> rows, IReadOnlyDictionary<string, object?> statistics, IReadOnlyList<string> notes)
    {
        TenantId = tenantId;
        Route = route;
        ApiUri = apiUri;
        Columns = columns;
        Rows = rows;
        Statistics = statistics;
        Notes = notes;
        ExecutionTime = ReadExecutionTime(statistics);
    }

    /// <summary>The tenant the rows come from (the token's tid, or -TenantId); null when neither says.</summary>
    public string? TenantId { get; }

    public DefenderHuntingRoute Route { get; }

    /// <summary>The API base the query was sent to.</summary>
    public Uri ApiUri { get; }

    public IReadOnlyList<DefenderHuntingColumn> Columns { get; }

    /// <summary>The rows, in the order the API returned them, each as the caller's row factory made it.</summary>
    public IReadOnlyList<object> Rows { get; }

    public int RowCount => Rows.Count;

    /// <summary>The API's Stats (execution time, resource usage, dataset statistics) as plain values; empty when it sent none (Graph sends none).</summary>
    public IReadOnlyDictionary<string, object?> Statistics { get; }

    /// <summary>The Stats' ExecutionTime (seconds), when the API sent it.</summary>
    public TimeSpan? ExecutionTime { get; }

    /// <summary>What a person should know about the rows: values that did not have their column's type and were kept as they came.</summary>
    public IReadOnlyList<string> Notes { get; }

    public override string ToString() => $"{RowCount} row(s) from tenant {TenantId ?? "(unknown)"} through {Route}";

    private static TimeSpan? ReadExecutionTime(IReadOnlyDictionary<string, object?> statistics)
    {
        foreach (var pair in statistics)
        {
            if (string.Equals(pair.Key, "ExecutionTime", StringComparison.OrdinalIgnoreCase) && pair.Value is double or long)
            {
                var seconds = Convert.ToDouble(pair.Value, System.Globalization.CultureInfo.InvariantCulture);
                return seconds is >= 0 and < 86400 ? TimeSpan.FromSeconds(seconds) : null;
            }
        }

        return null;
    }
}
