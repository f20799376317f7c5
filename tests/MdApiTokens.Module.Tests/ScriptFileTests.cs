using System.Management.Automation.Language;
using MdApiTokens.Module.Tests.Infrastructure;

namespace MdApiTokens.Module.Tests;

/// <summary>
/// Pester cannot run here, so the PowerShell files of the repository are at least parsed by the real engine: no syntax
/// errors, Pester suites shaped as suites, and Should -Throw -ErrorId patterns that can match a cmdlet's error id.
/// </summary>
public class ScriptFileTests
{
    public static TheoryData<string> ScriptFiles()
    {
        var data = new TheoryData<string>();
        foreach (var file in Directory.GetFiles(RepositoryLayout.PesterFolder, "*.ps1").Append(Path.Combine(RepositoryLayout.Root, "build.ps1")).Order(StringComparer.Ordinal))
        {
            data.Add(RepositoryLayout.Relative(file));
        }

        return data;
    }

    public static TheoryData<string> PesterSuites()
    {
        var data = new TheoryData<string>();
        foreach (var file in Directory.GetFiles(RepositoryLayout.PesterFolder, "*.Tests.ps1").Order(StringComparer.Ordinal))
        {
            data.Add(RepositoryLayout.Relative(file));
        }

        return data;
    }

    [Fact]
    public void There_are_Pester_suites_to_check() =>
        Assert.NotEmpty(Directory.GetFiles(RepositoryLayout.PesterFolder, "*.Tests.ps1"));

    [Theory]
    [MemberData(nameof(ScriptFiles))]
    public void Script_file_parses_without_errors(string file)
    {
        Parse(file, out var errors);

        Assert.True(errors.Length == 0, $"{file}:\n" + string.Join("\n", errors.Select(e => $"  line {e.Extent.StartLineNumber}, column {e.Extent.StartColumnNumber}: {e.Message}")));
    }

    [Theory]
    [MemberData(nameof(PesterSuites))]
    public void Pester_suite_has_a_Describe_holding_an_It(string file)
    {
        var ast = Parse(file, out _);

        var describes = Commands(ast, "Describe").ToList();
        Assert.True(describes.Count > 0, $"{file} has no Describe block");
        var its = Commands(ast, "It").ToList();
        Assert.True(its.Count > 0, $"{file} has no It block");
        foreach (var it in its)
        {
            Assert.True(Ancestors(it).Any(a => a is CommandAst c && IsNamed(c, "Describe") || a is CommandAst d && IsNamed(d, "Context")),
                $"{file} line {it.Extent.StartLineNumber}: It outside any Describe or Context");
        }
    }

    // Pester 5 matches -ErrorId against the whole FullyQualifiedErrorId ("ApiTokenStoreCorrupt,MdApiTokens.Commands...")
    // with -like, so a bare id never matches a cmdlet's error: the pattern needs the comma or a wildcard.
    [Theory]
    [MemberData(nameof(PesterSuites))]
    public void Should_Throw_ErrorId_patterns_can_match_a_cmdlet_error_id(string file)
    {
        var ast = Parse(file, out _);

        foreach (var should in Commands(ast, "Should"))
        {
            var elements = should.CommandElements;
            for (var i = 0; i < elements.Count; i++)
            {
                if (elements[i] is CommandParameterAst p && string.Equals(p.ParameterName, "ErrorId", StringComparison.OrdinalIgnoreCase))
                {
                    var argument = p.Argument ?? (i + 1 < elements.Count ? elements[i + 1] as ExpressionAst : null);
                    if (argument is StringConstantExpressionAst { Value: var pattern })
                    {
                        Assert.True(pattern.Contains(',') || pattern.Contains('*'),
                            $"{file} line {should.Extent.StartLineNumber}: -ErrorId '{pattern}' cannot match a cmdlet's FullyQualifiedErrorId; write '{pattern},*'");
                    }
                }
            }
        }
    }

    private static ScriptBlockAst Parse(string file, out ParseError[] errors) =>
        Parser.ParseFile(Path.Combine(RepositoryLayout.Root, file), out _, out errors);

    private static IEnumerable<CommandAst> Commands(Ast ast, string name) =>
        ast.FindAll(a => a is CommandAst c && IsNamed(c, name), searchNestedScriptBlocks: true).Cast<CommandAst>();

    private static bool IsNamed(CommandAst command, string name) =>
        string.Equals(command.GetCommandName(), name, StringComparison.OrdinalIgnoreCase);

    private static IEnumerable<Ast> Ancestors(Ast ast)
    {
        for (var parent = ast.Parent; parent is not null; parent = parent.Parent)
        {
            yield return parent;
        }
    }
}
