using System.Collections;
using System.Management.Automation;
using MdApiTokens.Module.Tests.Infrastructure;

namespace MdApiTokens.Module.Tests;

/// <summary>Get-Help, as a user runs it, finds a synopsis, a description, two examples and every parameter of each cmdlet.</summary>
public class HelpTests : ModuleTestBase
{
    private static readonly HashSet<string> s_commonParameters = new(StringComparer.OrdinalIgnoreCase)
    {
        "Verbose", "Debug", "ErrorAction", "WarningAction", "InformationAction", "ProgressAction", "ErrorVariable", "WarningVariable",
        "InformationVariable", "OutVariable", "OutBuffer", "PipelineVariable", "WhatIf", "Confirm",
    };

    public static TheoryData<string> Cmdlets()
    {
        var data = new TheoryData<string>();
        foreach (var line in File.ReadAllLines(ModuleLayout.ManifestPath))
        {
            var trimmed = line.Trim().Trim('\'', ',');
            if (System.Text.RegularExpressions.Regex.IsMatch(trimmed, "^[A-Z][a-z]+-[A-Za-z]+$"))
            {
                data.Add(trimmed);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cmdlets))]
    public void Every_cmdlet_has_full_help(string cmdlet)
    {
        var help = Session.Command("Get-Help", new Hashtable { ["Name"] = cmdlet, ["Full"] = true }).Succeeded().Output.Single();

        var synopsis = help.Properties["Synopsis"].Value?.ToString()?.Trim() ?? "";
        Assert.False(string.IsNullOrEmpty(synopsis) || synopsis.StartsWith(cmdlet, StringComparison.OrdinalIgnoreCase), $"{cmdlet}: no synopsis");

        var description = Session.Run("($h.description | ForEach-Object { $_.Text }) -join ' '", new Hashtable { ["h"] = help }).Succeeded().Output.Single().ToString();
        Assert.True(description.Length > 40, $"{cmdlet}: no description");

        var examples = Session.Run("@($h.examples.example).Count", new Hashtable { ["h"] = help }).Succeeded().Output.Single().BaseObject;
        Assert.True((int)examples >= 2, $"{cmdlet}: {examples} example(s)");

        var documented = Session.Run(
            "foreach ($p in @($h.parameters.parameter)) { if ((($p.description | ForEach-Object { $_.Text }) -join '').Trim()) { $p.name } }",
            new Hashtable { ["h"] = help }).Succeeded().Output.Select(o => o.ToString()).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var parameters = Session.Run("(Get-Command $c).Parameters.Keys", new Hashtable { ["c"] = cmdlet }).Succeeded().Output.Select(o => o.ToString()!)
            .Where(p => !s_commonParameters.Contains(p));
        foreach (var parameter in parameters)
        {
            Assert.True(documented.Contains(parameter), $"{cmdlet} -{parameter} has no description in help");
        }
    }

    [Fact]
    public void The_about_topic_is_found()
    {
        var help = Session.Command("Get-Help", new Hashtable { ["Name"] = "about_MdApiTokens" }).Succeeded().Output.Single();
        Assert.Contains("MDAPITOKENS_STORE", help.ToString());
    }
}
