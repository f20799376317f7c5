namespace MdApiTokens.Module.Tests.Infrastructure;

/// <summary>The checkout the tests were built from: the folder holding MdApiTokens.sln, found upwards from the test assembly.</summary>
public static class RepositoryLayout
{
    public static string Root { get; } = FindRoot();

    public static string PesterFolder => Path.Combine(Root, "tests", "Pester");

    /// <summary>A path relative to the root, with forward slashes, for test names and messages.</summary>
    public static string Relative(string path) => Path.GetRelativePath(Root, path).Replace('\\', '/');

    private static string FindRoot()
    {
        for (var folder = new DirectoryInfo(Path.GetDirectoryName(typeof(RepositoryLayout).Assembly.Location)!); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "MdApiTokens.sln")))
            {
                return folder.FullName;
            }
        }

        throw new InvalidOperationException("No folder above the test assembly holds MdApiTokens.sln.");
    }
}
