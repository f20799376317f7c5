using System.Management.Automation.Language;
using MdApiTokens.Module.Tests.Infrastructure;

namespace MdApiTokens.Module.Tests.Loading;

/// <summary>
/// The Windows CI job runs the Pester suites in Windows PowerShell 5.1, whose parser predates PowerShell 7's operators.
/// Parsed here by PowerShell 7's engine, a suite must use none of them, or 5.1 would not even start it.
/// </summary>
public class WindowsPowerShellSyntaxTests
{
    public static TheoryData<string> PesterSuites() => ScriptFileTests.PesterSuites();

    [Theory]
    [MemberData(nameof(PesterSuites))]
    public void Pester_suite_uses_only_syntax_Windows_PowerShell_5_1_parses(string file)
    {
        var ast = Parser.ParseFile(Path.Combine(RepositoryLayout.Root, file), out _, out _);

        var newer = ast.FindAll(node => PowerShell7Syntax(node) is not null, searchNestedScriptBlocks: true)
            .Select(node => $"line {node.Extent.StartLineNumber}: {PowerShell7Syntax(node)} '{node.Extent.Text}'");
        Assert.Empty(newer);
    }

    [Fact]
    public void The_check_finds_each_operator_PowerShell_7_added()
    {
        var script = "$a = $b ? 1 : 2; $c ?? 3; $d ??= 4; ${e}?.Name; ${f}?[0]; git fetch && git pull; function g { clean { } }";
        var ast = Parser.ParseInput(script, out _, out var errors);
        Assert.Empty(errors);

        var found = ast.FindAll(node => PowerShell7Syntax(node) is not null, searchNestedScriptBlocks: true).Select(PowerShell7Syntax).Distinct();
        Assert.Equal(new[] { "ternary operator", "?? operator", "??= operator", "?. operator", "?[] operator", "&& or || chain", "clean block" }.Order(), found.Order());
    }

    private static string? PowerShell7Syntax(Ast node) => node switch
    {
        TernaryExpressionAst => "ternary operator",
        BinaryExpressionAst { Operator: TokenKind.QuestionQuestion } => "?? operator",
        AssignmentStatementAst { Operator: TokenKind.QuestionQuestionEquals } => "??= operator",
        MemberExpressionAst { NullConditional: true } => "?. operator",
        IndexExpressionAst { NullConditional: true } => "?[] operator",
        PipelineChainAst => "&& or || chain",
        NamedBlockAst { BlockKind: TokenKind.Clean } => "clean block",
        _ => null,
    };
}
