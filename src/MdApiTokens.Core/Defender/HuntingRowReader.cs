using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.Json;
using MdApiTokens.Core.Shared;

namespace MdApiTokens.Core.Defender;

/// <summary>
/// Reads result rows against the schema: every row gets every column, in schema order (null where the row has none),
/// typed by <see cref="HuntingValues"/>; fields the schema does not name follow as plain values. Counts the values
/// that did not fit their column's type.
/// </summary>
internal sealed class HuntingRowReader
{
    private readonly IReadOnlyList<DefenderHuntingColumn> _columns;
    private readonly Dictionary<string, DefenderHuntingColumn> _byName;
    private readonly Dictionary<string, int> _misfits = new(StringComparer.Ordinal);

    public HuntingRowReader(IReadOnlyList<DefenderHuntingColumn> columns)
    {
        _columns = columns;
        _byName = new Dictionary<string, DefenderHuntingColumn>(StringComparer.Ordinal);
        foreach (var column in columns)
        {
            _byName[column.Name] = column;
        }
    }

    public IReadOnlyList<KeyValuePair<string, object?>> Read(JsonElement row)
    {
        var values = new List<KeyValuePair<string, object?>>(_columns.Count);
        foreach (var column in _columns)
        {
            values.Add(new KeyValuePair<string, object?>(column.Name, row.TryGetProperty(column.Name, out var value) ? Typed(column, value) : null));
        }

        foreach (var field in row.EnumerateObject())
        {
            if (!_byName.ContainsKey(field.Name) && !values.Any(v => v.Key == field.Name))
            {
                values.Add(new KeyValuePair<string, object?>(field.Name, JsonValues.ToPlain(field.Value)));
            }
        }

        return values;
    }

    public IReadOnlyList<string> Notes() =>
        _misfits.Select(m => $"Column {m.Key} ({_byName[m.Key].Type}): {m.Value.ToString(CultureInfo.InvariantCulture)} value(s) were not of that type and are kept as the API sent them.").ToList();

    private object? Typed(DefenderHuntingColumn column, JsonElement value)
    {
        var converted = HuntingValues.Convert(value, column.Type, out var fits);
        if (!fits)
        {
            _misfits[column.Name] = _misfits.TryGetValue(column.Name, out var n) ? n + 1 : 1;
        }

        return converted;
    }
}
