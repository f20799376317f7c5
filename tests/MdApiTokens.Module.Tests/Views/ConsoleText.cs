using System.Text.RegularExpressions;

namespace MdApiTokens.Module.Tests.Views;

/// <summary>One table the engine drew: its heading (a GroupBy label line, if any), column headers and cells.</summary>
public sealed record DrawnTable(string? Group, IReadOnlyList<string> Headers, IReadOnlyList<IReadOnlyDictionary<string, string>> Rows)
{
    /// <summary>The row whose <paramref name="column"/> is <paramref name="value"/> (wrapped lines rejoined).</summary>
    public IReadOnlyDictionary<string, string> Row(string column, string value) =>
        Assert.Single(Rows, r => ConsoleText.Squash(r[column]) == ConsoleText.Squash(value));
}

/// <summary>
/// Reads back what a person sees at the console: tables split into cells by the columns of their dashed header line,
/// a wrapped cell's lines joined by newlines; lists split into items, continuation lines joined the same way.
/// </summary>
public static class ConsoleText
{
    /// <summary>Every table in <paramref name="text"/>; a row starts where <paramref name="anchor"/> (a column that never wraps) is not empty.</summary>
    public static IReadOnlyList<DrawnTable> Tables(string text, string anchor)
    {
        var lines = Lines(text);
        var tables = new List<DrawnTable>();
        for (var i = 1; i < lines.Length; i++)
        {
            if (!Regex.IsMatch(lines[i], "^-[- ]*$"))
            {
                continue;
            }

            var starts = Regex.Matches(lines[i], "-+").Select(m => m.Index).ToArray();
            var headers = Cells(lines[i - 1], starts).Select(c => c.Trim()).ToArray();
            var group = i >= 3 && lines[i - 2].Length == 0 && lines[i - 3].StartsWith("   ", StringComparison.Ordinal) ? lines[i - 3].Trim() : null;
            var anchorIndex = Array.IndexOf(headers, anchor);
            Assert.True(anchorIndex >= 0, $"no column '{anchor}' in: {lines[i - 1]}");
            var rows = new List<Dictionary<string, string>>();
            for (i++; i < lines.Length && lines[i].Trim().Length > 0; i++)
            {
                var cells = Cells(lines[i], starts);
                if (cells[anchorIndex].Trim().Length > 0 || rows.Count == 0)
                {
                    rows.Add(headers.Select((h, k) => (h, k)).ToDictionary(x => x.h, x => cells[x.k].Trim()));
                    continue;
                }

                foreach (var (header, k) in headers.Select((h, k) => (h, k)))
                {
                    var piece = cells[k].Trim();
                    if (piece.Length > 0)
                    {
                        rows[^1][header] = rows[^1][header].Length == 0 ? piece : rows[^1][header] + "\n" + piece;
                    }
                }
            }

            tables.Add(new DrawnTable(group, headers, rows));
        }

        return tables;
    }

    /// <summary>The single table in <paramref name="text"/>.</summary>
    public static DrawnTable Table(string text, string anchor) => Assert.Single(Tables(text, anchor));

    /// <summary>The items of each list entry in <paramref name="text"/>, as label and value (continuation lines joined by newlines).</summary>
    public static IReadOnlyList<IReadOnlyDictionary<string, string>> Lists(string text)
    {
        var entries = new List<Dictionary<string, string>>();
        Dictionary<string, string>? entry = null;
        string? last = null;
        foreach (var line in Lines(text))
        {
            var item = Regex.Match(line, @"^(\S[^:]*?)\s*: ?(.*)$");
            if (line.Trim().Length == 0)
            {
                entry = null;
            }
            else if (item.Success && (entry is null || !line.StartsWith(' ')))
            {
                if (entry is null)
                {
                    entry = new Dictionary<string, string>();
                    entries.Add(entry);
                }

                last = item.Groups[1].Value;
                entry[last] = item.Groups[2].Value.TrimEnd();
            }
            else if (entry is not null && last is not null)
            {
                entry[last] += "\n" + line.Trim();
            }
        }

        return entries;
    }

    /// <summary>A value with all white space removed: what is left of a value once wrapping is undone.</summary>
    public static string Squash(string value) => Regex.Replace(value, @"\s+", "");

    /// <summary>
    /// Asserts what every view must give at any width: no line past the console's edge, no value cut with an
    /// ellipsis, and no list line whose value is empty.
    /// </summary>
    public static void AssertFits(string text, int width)
    {
        foreach (var line in Lines(text))
        {
            Assert.True(line.Length <= width, $"a line is wider than {width} columns: '{line}'");
            Assert.DoesNotContain("…", line);
            Assert.DoesNotMatch(@"^[A-Za-z]+\s*:\s*$", line);
        }
    }

    private static string[] Lines(string text) => text.Replace("\r", "").Split('\n');

    private static string[] Cells(string line, int[] starts) =>
        starts.Select((start, k) =>
        {
            var end = k + 1 < starts.Length ? starts[k + 1] : int.MaxValue;
            return start >= line.Length ? "" : line[start..Math.Min(end, line.Length)];
        }).ToArray();
}
