using System.Text.RegularExpressions;
using MdApiTokens.Core.Shared;

namespace MdApiTokens.Core.Tests.Shared;

/// <summary>The cloud table is the one home of every host name and resource id: each appears in one source file only.</summary>
public class CloudTableTests
{
    [Fact]
    public void Each_cloud_host_and_resource_id_is_written_in_one_source_file()
    {
        var src = Path.Combine(RepositoryRoot(), "src");
        var files = Directory.EnumerateFiles(src, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains(Path.DirectorySeparatorChar + "obj" + Path.DirectorySeparatorChar) && !f.Contains(Path.DirectorySeparatorChar + "bin" + Path.DirectorySeparatorChar))
            .ToDictionary(f => f, File.ReadAllText);
        var facts = CloudTable.All.SelectMany(c => new[] { c.SignInHost, c.V1Issuer, c.DefenderApi, c.DefenderForEndpointApi, c.Graph }).Select(u => u.Host)
            .Concat(new[] { CloudTable.DefenderApiApplicationId, CloudTable.DefenderForEndpointApplicationId, "api.security.microsoft.com" })
            .Distinct();

        foreach (var fact in facts)
        {
            var holders = files.Where(f => Regex.IsMatch(f.Value, @"(?<![\w.-])" + Regex.Escape(fact) + @"(?![\w-])", RegexOptions.IgnoreCase)).Select(f => Path.GetFileName(f.Key)).ToList();
            Assert.True(holders.Count <= 1, $"{fact} is written in {string.Join(", ", holders)}");
        }
    }

    [Theory]
    [InlineData(AzureCloud.Public, "login.microsoftonline.com", "api.security.microsoft.com", "graph.microsoft.com")]
    [InlineData(AzureCloud.USGov, "login.microsoftonline.com", "api-gcc.security.microsoft.us", "graph.microsoft.com")]
    [InlineData(AzureCloud.USGovHigh, "login.microsoftonline.us", "api-gov.security.microsoft.us", "graph.microsoft.us")]
    [InlineData(AzureCloud.USGovDoD, "login.microsoftonline.us", "api-gov.security.microsoft.us", "dod-graph.microsoft.us")]
    public void Each_cloud_signs_in_and_calls_its_own_hosts(AzureCloud cloud, string signIn, string defender, string graph)
    {
        var endpoints = CloudTable.For(cloud);

        Assert.Equal(signIn, endpoints.SignInHost.Host);
        Assert.Equal(defender, endpoints.DefenderApi.Host);
        Assert.Equal(graph, endpoints.Graph.Host);
        Assert.Equal($"https://{defender}/.default", endpoints.DefenderScope);
        Assert.Equal(endpoints.SignInHost, endpoints.ConsentHost);
    }

    [Fact]
    public void A_Defender_API_matches_its_application_id_but_not_another_clouds_URI()
    {
        var aliases = CloudTable.AudienceAliases(CloudTable.DefenderApiApplicationId);

        Assert.Contains("https://api.security.microsoft.com", aliases);
        Assert.Contains("https://api-gov.security.microsoft.us", aliases);
        Assert.DoesNotContain(CloudTable.DefenderForEndpointApplicationId, aliases);
        Assert.Equal(new[] { "https://api.security.microsoft.com", CloudTable.DefenderApiApplicationId }, CloudTable.AudienceAliases("https://api.security.microsoft.com"));
        Assert.Contains(CloudTable.DefenderForEndpointApplicationId, CloudTable.AudienceAliases("https://api.securitycenter.microsoft.com"));
        Assert.Equal(new[] { "https://elsewhere" }, CloudTable.AudienceAliases("https://elsewhere"));
    }

    private static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "MdApiTokens.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("The repository root was not found.");
    }
}
