using System.Collections;
using System.Management.Automation;
using MdApiTokens.Module.Tests.Infrastructure;

namespace MdApiTokens.Module.Tests.Store;

public class StoreCmdletTests : ModuleTestBase
{
    [Fact]
    public void A_store_path_that_is_a_file_is_a_clear_error_and_changes_nothing()
    {
        var file = Path.Combine(Folder, "a-file.txt");
        File.WriteAllText(file, "keep");

        foreach (var command in new[] { "New-ApiToken", "Get-ApiToken", "Initialize-ApiTokenStore" })
        {
            var parameters = P(("StorePath", file));
            if (command == "New-ApiToken")
            {
                parameters["Name"] = "x";
            }

            var error = Session.Command(command, parameters).SingleError("ApiTokenStorePathInvalid", ErrorCategory.InvalidArgument);
            Assert.Contains(file, error.Exception.Message);
            Assert.NotNull(error.ErrorDetails?.RecommendedAction);
        }

        Assert.Equal("keep", File.ReadAllText(file));
        Assert.Equal(new[] { file }, Directory.GetFileSystemEntries(Folder));
    }

    [Fact]
    public void A_store_path_under_a_missing_folder_is_an_error_and_creates_nothing()
    {
        var path = Path.Combine(Folder, "missing", "deeper", "store");
        var error = Cmd("New-ApiToken", ("Name", "x"), ("StorePath", path)).SingleError("ApiTokenStorePathInvalid", ErrorCategory.InvalidArgument);
        Assert.Contains("does not exist", error.Exception.Message);
        Assert.False(Directory.Exists(Path.Combine(Folder, "missing")));
    }

    [Theory]
    [InlineData("Env:\\MDAT_NOT_A_FOLDER")]
    [InlineData("Variable:\\x")]
    [InlineData("NoSuchDrive:\\store")]
    public void A_store_path_off_the_file_system_is_an_error(string path)
    {
        var error = Cmd("Get-ApiToken", ("StorePath", path)).SingleError("ApiTokenStorePathInvalid", ErrorCategory.InvalidArgument);
        Assert.Equal(path, error.TargetObject);
    }

    [Fact]
    public void Relative_store_paths_resolve_against_the_PowerShell_location()
    {
        Session.Run("$ExecutionContext.SessionState.Path.SetLocation($folder) | Out-Null", new Hashtable { ["folder"] = Folder }).Succeeded();

        Cmd("New-ApiToken", ("Name", "relative"), ("StorePath", "relative-store")).Succeeded();

        Assert.True(File.Exists(Path.Combine(Folder, "relative-store", "tokens.json")));
    }

    [Fact]
    public void A_missing_store_is_reported_with_what_to_do()
    {
        var error = Cmd("Get-ApiToken").SingleError("ApiTokenStoreNotFound", ErrorCategory.ObjectNotFound);
        Assert.Contains("Initialize-ApiTokenStore", error.ErrorDetails.RecommendedAction);
        Cmd("Test-ApiToken", ("Token", "mdat_x")).Succeeded(); // malformed: answered without a store
        Assert.False(Directory.Exists(StorePath));
    }

    [Theory]
    [InlineData("{ \"schemaVersion\": 1, \"tokens\": [")]
    [InlineData("")]
    [InlineData("{ \"schemaVersion\": 1, \"roles\": [], \"tokens\": [ { \"id\": 1 } ] }")]
    public void A_corrupt_store_is_a_terminating_error_naming_the_path_and_is_left_alone(string content)
    {
        var issued = NewToken("before-corruption");
        File.WriteAllText(StoreFile, content);
        var before = File.ReadAllBytes(StoreFile);

        foreach (var (command, parameters) in new (string, Hashtable)[]
        {
            ("Get-ApiToken", P()),
            ("New-ApiToken", P(("Name", "after"))),
            ("Test-ApiToken", P(("Token", (string)issued.Token))),
            ("Revoke-ApiToken", P(("Name", new[] { "before-corruption" }), ("Confirm", false))),
            ("Grant-ApiTokenRole", P(("User", "bob"), ("Role", "SecurityReader"), ("Confirm", false))),
        })
        {
            var result = Session.Command(command, parameters);
            Assert.NotNull(result.Terminating);
            var error = result.SingleError("ApiTokenStoreCorrupt", ErrorCategory.InvalidData);
            Assert.Contains(StoreFile, error.Exception.Message);
            Assert.Equal(StoreFile, error.TargetObject);
        }

        Assert.Equal(before, File.ReadAllBytes(StoreFile));
    }

    [Fact]
    public void A_newer_store_version_is_refused_and_left_alone()
    {
        Directory.CreateDirectory(StorePath);
        File.WriteAllText(StoreFile, "{ \"schemaVersion\": 3, \"tokens\": [] }");
        var before = File.ReadAllBytes(StoreFile);

        var error = Cmd("New-ApiToken", ("Name", "x")).SingleError("ApiTokenStoreVersionUnsupported", ErrorCategory.InvalidData);

        Assert.Contains("Update-Module", error.ErrorDetails.RecommendedAction);
        Assert.Equal(before, File.ReadAllBytes(StoreFile));
    }

    [Fact]
    public void Initialize_Get_and_Set_ApiTokenStore()
    {
        var created = Cmd("Initialize-ApiTokenStore", ("TenantUrl", "https://contoso.portal.cloudappsecurity.com")).Succeeded().Output.Single();
        Assert.Equal(StorePath, created.Properties["StorePath"].Value);
        Assert.Equal("GlobalAdmin", created.Properties["CallerRole"].Value.ToString());

        Cmd("Initialize-ApiTokenStore").SingleError("ApiTokenStoreExists", ErrorCategory.ResourceExists);
        Cmd("Set-ApiTokenStore", ("TenantUrl", "http://insecure.example.com"), ("Confirm", false)).SingleError("ApiTokenTenantUrlInvalid", ErrorCategory.InvalidArgument);

        var updated = Cmd("Set-ApiTokenStore", ("TenantUrl", "https://fabrikam.portal.cloudappsecurity.com"), ("PassThru", true)).Succeeded().Output.Single();
        Assert.Equal(new Uri("https://fabrikam.portal.cloudappsecurity.com/"), updated.Properties["TenantUrl"].Value);

        var info = Cmd("Get-ApiTokenStore").Succeeded().Output.Single();
        Assert.Equal(new Uri("https://fabrikam.portal.cloudappsecurity.com/"), info.Properties["TenantUrl"].Value);
        Assert.Equal("alice", info.Properties["Caller"].Value);
        Assert.Equal(1, info.Properties["SchemaVersion"].Value);
    }

    [Fact]
    public void Store_files_are_created_owner_only()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        NewToken("x");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(StorePath));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(StoreFile));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(StorePath, "audit.log")));
    }
}
