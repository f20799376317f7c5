using System.Reflection;
using MdApiTokens.Loader;

namespace MdApiTokens.Module.Tests.Loading;

/// <summary>
/// Windows PowerShell's AssemblyResolve event is raised for every module's failed loads. The module answers requests
/// from its own assemblies, and others' only where its copy is what they asked for: a module imported later that needs
/// a newer MSAL than ours must not be handed ours.
/// </summary>
public class DesktopResolvePolicyTests
{
    private static readonly string s_module = Path.Combine(Path.GetTempPath(), "Modules", "MdApiTokens", "0.1.0");
    private static readonly string s_otherModule = Path.Combine(Path.GetTempPath(), "Modules", "Az.Accounts", "3.0.0", "Microsoft.Azure.PowerShell.Authentication.dll");
    private static readonly AssemblyName s_ourMsal = new("Microsoft.Identity.Client, Version=4.92.0.0, Culture=neutral, PublicKeyToken=0a613f4dd989e8ae");

    [Theory]
    [InlineData("dependencies/MdApiTokens.Core.dll")]
    [InlineData("MdApiTokens.dll")]
    [InlineData("dependencies/desktop/System.Security.AccessControl.dll")]
    public void A_request_from_the_modules_own_assemblies_is_answered_whatever_version_it_names(string requester)
    {
        Assert.True(Decide("Microsoft.Identity.Client, Version=4.99.0.0, Culture=neutral, PublicKeyToken=0a613f4dd989e8ae", Path.Combine(s_module, requester)));
    }

    [Theory]
    [InlineData("4.99.0.0", false)]
    [InlineData("5.0.0.0", false)]
    [InlineData("4.92.0.1", false)]
    [InlineData("4.92.0.0", true)]
    [InlineData("4.60.4.0", true)]
    [InlineData("0.0.0.0", true)]
    public void Another_modules_request_is_answered_only_for_our_version_or_an_older_one(string version, bool answered)
    {
        Assert.Equal(answered, Decide($"Microsoft.Identity.Client, Version={version}, Culture=neutral, PublicKeyToken=0a613f4dd989e8ae", s_otherModule));
    }

    [Fact]
    public void A_request_whose_requester_is_unknown_is_treated_as_another_modules()
    {
        Assert.False(Decide("Microsoft.Identity.Client, Version=4.99.0.0, Culture=neutral, PublicKeyToken=0a613f4dd989e8ae", requester: null));
        Assert.False(Decide("Microsoft.Identity.Client, Version=4.99.0.0, Culture=neutral, PublicKeyToken=0a613f4dd989e8ae", requester: ""));
        Assert.True(Decide("Microsoft.Identity.Client, Version=4.92.0.0, Culture=neutral, PublicKeyToken=0a613f4dd989e8ae", requester: null));
    }

    [Fact]
    public void A_request_by_simple_name_only_is_answered()
    {
        Assert.True(Decide("Microsoft.Identity.Client", s_otherModule));
    }

    [Fact]
    public void A_request_for_the_same_name_from_another_publisher_is_left_to_its_module()
    {
        Assert.False(Decide("Microsoft.Identity.Client, Version=4.0.0.0, Culture=neutral, PublicKeyToken=1111111111111111", s_otherModule));
    }

    [Fact]
    public void A_request_for_a_satellite_resource_assembly_is_never_answered()
    {
        Assert.False(Decide("Microsoft.Identity.Client, Version=4.92.0.0, Culture=de, PublicKeyToken=0a613f4dd989e8ae", Path.Combine(s_module, "MdApiTokens.dll")));
    }

    [Fact]
    public void A_request_for_another_assembly_than_the_file_found_is_never_answered()
    {
        Assert.False(Decide("System.Text.Json, Version=8.0.0.0, Culture=neutral, PublicKeyToken=cc7b13ffcd2ddd51", Path.Combine(s_module, "MdApiTokens.dll")));
    }

    [Fact]
    public void A_requester_in_a_sibling_folder_whose_name_starts_like_the_modules_is_not_the_module()
    {
        var sibling = s_module.TrimEnd(Path.DirectorySeparatorChar) + "-old" + Path.DirectorySeparatorChar + "Other.dll";
        Assert.False(Decide("Microsoft.Identity.Client, Version=4.99.0.0, Culture=neutral, PublicKeyToken=0a613f4dd989e8ae", sibling));
    }

    [Fact]
    public void The_desktop_build_of_an_assembly_is_preferred_to_the_shared_one_and_a_missing_one_is_not_ours()
    {
        var dependencies = Path.Combine(Path.GetTempPath(), "mdat-resolve-policy", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path.Combine(dependencies, DesktopResolvePolicy.DesktopFolderName));
        try
        {
            File.WriteAllText(Path.Combine(dependencies, "Shared.dll"), "");
            File.WriteAllText(Path.Combine(dependencies, "Both.dll"), "");
            File.WriteAllText(Path.Combine(dependencies, DesktopResolvePolicy.DesktopFolderName, "Both.dll"), "");

            Assert.Equal(Path.Combine(dependencies, "Shared.dll"), DesktopResolvePolicy.FileFor(dependencies, "Shared"));
            Assert.Equal(Path.Combine(dependencies, DesktopResolvePolicy.DesktopFolderName, "Both.dll"), DesktopResolvePolicy.FileFor(dependencies, "Both"));
            Assert.Null(DesktopResolvePolicy.FileFor(dependencies, "mscorlib"));
        }
        finally
        {
            Directory.Delete(dependencies, recursive: true);
        }
    }

    private static bool Decide(string requested, string? requester) =>
        DesktopResolvePolicy.ShouldAnswer(new AssemblyName(requested), s_ourMsal, requester, s_module);
}
