using System.Reflection;
using MdApiTokens.Core;

namespace MdApiTokens.Core.Tests;

/// <summary>Every stable error id Core can raise is listed in about_MdApiTokens, where a person looks up what to do about it.</summary>
public class ErrorIdDocumentationTests
{
    [Fact]
    public void Every_error_id_of_every_capability_is_listed_in_the_about_topic()
    {
        var about = File.ReadAllText(Path.Combine(RepositoryRoot(), "module", "en-US", "about_MdApiTokens.help.txt"));
        var ids = ErrorIds().ToList();

        Assert.True(ids.Count >= 40, $"only {ids.Count} ids found: the *Errors classes were not read");
        var missing = ids.Where(id => !about.Contains(id, StringComparison.Ordinal)).ToList();
        Assert.True(missing.Count == 0, "not in about_MdApiTokens: " + string.Join(", ", missing));
        Assert.Contains("MdApiTokensUnexpectedError", about, StringComparison.Ordinal);
    }

    [Fact]
    public void Error_ids_are_unique_across_capabilities()
    {
        var duplicates = typeof(MdApiTokensException).Assembly.GetExportedTypes()
            .Where(t => t.Name.EndsWith("Errors", StringComparison.Ordinal))
            .SelectMany(t => t.GetFields(BindingFlags.Public | BindingFlags.Static).Where(f => f.IsLiteral && f.FieldType == typeof(string)).Select(f => (Type: t.Name, Id: (string)f.GetRawConstantValue()!)))
            .GroupBy(x => x.Id)
            .Where(g => g.Select(x => x.Type).Distinct().Count() > 1)
            .Select(g => g.Key);
        Assert.Empty(duplicates);
    }

    private static IEnumerable<string> ErrorIds() =>
        typeof(MdApiTokensException).Assembly.GetExportedTypes()
            .Where(t => t.Name.EndsWith("Errors", StringComparison.Ordinal))
            .SelectMany(t => t.GetFields(BindingFlags.Public | BindingFlags.Static))
            .Where(f => f.IsLiteral && f.FieldType == typeof(string))
            .Select(f => (string)f.GetRawConstantValue()!)
            .Distinct();

    private static string RepositoryRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "MdApiTokens.sln")))
            {
                return folder.FullName;
            }
        }

        throw new InvalidOperationException("No folder above the test assembly holds MdApiTokens.sln.");
    }
}
