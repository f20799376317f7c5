using MdApiTokens.Module.Tests.Infrastructure;

namespace MdApiTokens.Module.Tests.Store;

/// <summary>These tests change process-wide environment variables, so they run alone.</summary>
[CollectionDefinition(nameof(EnvironmentCollection), DisableParallelization = true)]
public sealed class EnvironmentCollection
{
}

[Collection(nameof(EnvironmentCollection))]
public class StoreLocationTests : ModuleTestBase
{
    private readonly Dictionary<string, string?> _saved = new();

    public StoreLocationTests()
    {
        foreach (var name in new[] { "MDAPITOKENS_STORE", "XDG_DATA_HOME", "HOME" })
        {
            _saved[name] = Environment.GetEnvironmentVariable(name);
        }
    }

    [Fact]
    public void StorePath_beats_the_environment_variable_which_beats_the_default()
    {
        var fromEnv = Path.Combine(Folder, "env-store");
        var fromParam = Path.Combine(Folder, "param-store");
        var dataHome = Path.Combine(Folder, "xdg");
        Environment.SetEnvironmentVariable("XDG_DATA_HOME", dataHome);
        Environment.SetEnvironmentVariable("HOME", Folder);

        // Default: the per-user data folder (parents created).
        Environment.SetEnvironmentVariable("MDAPITOKENS_STORE", null);
        Session.Command("New-ApiToken", new System.Collections.Hashtable { ["Name"] = "in-default" }).Succeeded();
        var defaultStore = OperatingSystem.IsWindows()
            ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData), "MdApiTokens")
            : Path.Combine(dataHome, "MdApiTokens");
        Assert.True(File.Exists(Path.Combine(defaultStore, "tokens.json")));

        // $env:MDAPITOKENS_STORE, set the PowerShell way, overrides the default.
        Session.Run($"$env:MDAPITOKENS_STORE = '{fromEnv}'").Succeeded();
        Session.Command("New-ApiToken", new System.Collections.Hashtable { ["Name"] = "in-env" }).Succeeded();
        Assert.True(File.Exists(Path.Combine(fromEnv, "tokens.json")));

        // -StorePath overrides both.
        Session.Command("New-ApiToken", new System.Collections.Hashtable { ["Name"] = "in-param", ["StorePath"] = fromParam }).Succeeded();

        Assert.Equal(new[] { "in-env" }, Session.Command("Get-ApiToken").Succeeded().Output.Select(t => t.Properties["Name"].Value));
        Assert.Equal(new[] { "in-param" }, Session.Command("Get-ApiToken", new System.Collections.Hashtable { ["StorePath"] = fromParam }).Succeeded().Output.Select(t => t.Properties["Name"].Value));
        Session.Run("$env:MDAPITOKENS_STORE = $null").Succeeded();
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(new[] { "in-default" }, Session.Command("Get-ApiToken").Succeeded().Output.Select(t => t.Properties["Name"].Value));
        }
    }

    [Fact]
    public void The_verbose_stream_says_which_store_is_used_and_why()
    {
        Environment.SetEnvironmentVariable("MDAPITOKENS_STORE", StorePath);
        var result = Session.Command("New-ApiToken", new System.Collections.Hashtable { ["Name"] = "v", ["Verbose"] = true }).Succeeded();
        Assert.Contains(result.Verbose, v => v.Contains(StorePath) && v.Contains("Environment"));
        Assert.DoesNotContain(result.Verbose, v => v.Contains((string)((dynamic)result.Output.Single()).Token));
    }

    public override void Dispose()
    {
        foreach (var (name, value) in _saved)
        {
            Environment.SetEnvironmentVariable(name, value);
        }

        base.Dispose();
    }
}
