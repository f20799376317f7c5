using System.Collections;
using MdApiTokens.Module.Tests.Infrastructure;

namespace MdApiTokens.Module.Tests;

/// <summary>
/// The MAML help says what the cmdlets really do: each syntax item is one of the cmdlet's parameter sets, and each
/// documented parameter exists with the type, position, mandatory flag, pipeline input and wildcard support it has in
/// code. HelpTests checks that help is there; this checks that it has not drifted from the code.
/// </summary>
public class HelpAccuracyTests : ModuleTestBase
{
    private const string Script = """
        $help = Get-Help $c -Full
        $command = Get-Command $c
        $common = [System.Management.Automation.Cmdlet]::CommonParameters
        $flag = { param($b) if ($b) { 'true' } else { 'false' } }
        $key = { param($names) $a = [string[]] @($names); [Array]::Sort($a, [StringComparer]::OrdinalIgnoreCase); $a -join ',' }

        foreach ($p in @($help.parameters.parameter)) {
            $meta = $command.Parameters[$p.name]
            if (-not $meta) { "-$($p.name) is documented but does not exist"; continue }
            $sets = @($meta.ParameterSets.Values)
            $expected = [ordered] @{
                parameterValue = $meta.ParameterType.Name
                required       = & $flag (@($sets | Where-Object IsMandatory).Count -gt 0)
                position       = @(@($sets | Where-Object { $_.Position -ge 0 } | ForEach-Object { "$($_.Position)" }) + 'named')[0]
                globbing       = & $flag (@($meta.Attributes | Where-Object { $_ -is [System.Management.Automation.SupportsWildcardsAttribute] }).Count -gt 0)
                pipelineInput  = $(
                    $by = @()
                    if (@($sets | Where-Object ValueFromPipeline).Count) { $by += 'ByValue' }
                    if (@($sets | Where-Object ValueFromPipelineByPropertyName).Count) { $by += 'ByPropertyName' }
                    if ($by.Count) { "True ($($by -join ', '))" } else { 'False' })
            }
            foreach ($property in $expected.Keys) {
                $actual = "$($p.$property)"
                if ($actual -ne $expected[$property]) { "-$($p.name) $property is '$actual' in help but '$($expected[$property])' in code" }
            }
        }

        $items = @($help.syntax.syntaxItem)
        if ($items.Count -ne $command.ParameterSets.Count) {
            "help has $($items.Count) syntax item(s), the cmdlet $($command.ParameterSets.Count) parameter set(s)"
        }
        foreach ($item in $items) {
            $names = & $key @($item.parameter | ForEach-Object { $_.name })
            $match = $null
            foreach ($set in $command.ParameterSets) {
                $setNames = & $key @($set.Parameters | Where-Object { -not $common.Contains($_.Name) } | ForEach-Object { $_.Name })
                if ($setNames -eq $names) { $match = $set }
            }
            if (-not $match) { "syntax item ($names) is no parameter set of the cmdlet"; continue }
            foreach ($p in @($item.parameter)) {
                $meta = @($match.Parameters | Where-Object Name -eq $p.name)[0]
                $required = & $flag $meta.IsMandatory
                $position = if ($meta.Position -ge 0) { "$($meta.Position)" } else { 'named' }
                if ("$($p.required)" -ne $required) { "set $($match.Name): -$($p.name) required is '$($p.required)' in help but '$required' in code" }
                if ("$($p.position)" -ne $position) { "set $($match.Name): -$($p.name) position is '$($p.position)' in help but '$position' in code" }
            }
        }
        """;

    public static TheoryData<string> Cmdlets() => HelpTests.Cmdlets();

    [Theory]
    [MemberData(nameof(Cmdlets))]
    public void Help_matches_the_cmdlets_parameters_and_parameter_sets(string cmdlet)
    {
        var mismatches = Session.Run(Script, new Hashtable { ["c"] = cmdlet }).Succeeded().Output.Select(o => o.ToString());

        Assert.True(!mismatches.Any(), $"{cmdlet}:\n  " + string.Join("\n  ", mismatches));
    }
}
