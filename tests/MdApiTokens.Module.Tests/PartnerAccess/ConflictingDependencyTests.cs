using System.Reflection;
using System.Runtime.Loader;
using MdApiTokens.Module.Tests.Infrastructure;

namespace MdApiTokens.Module.Tests.PartnerAccess;

/// <summary>
/// DESIGN §5: the module loads next to modules that ship other versions of MSAL and IdentityModel. Here the test
/// process plays such a module (as MSAL.PS or AzureAD do): it loads an older MSAL and IdentityModel into the default
/// context by path before the module needs its own. A second copy of an assembly cannot join the default context, so
/// without the module's private load context its token and JWT cmdlets would fail.
/// </summary>
public class ConflictingDependencyTests : PartnerAccessTestBase
{
    private static readonly Lazy<Assembly[]> s_theirs = new(LoadTheirs);

    [Fact]
    public void The_cmdlets_work_beside_another_modules_older_MSAL_and_IdentityModel_and_leave_them_alone()
    {
        var theirs = s_theirs.Value;
        var theirMsal = theirs.Single(a => a.GetName().Name == "Microsoft.Identity.Client");
        var theirJwt = theirs.Single(a => a.GetName().Name == "System.IdentityModel.Tokens.Jwt");
        Assert.Equal(new Version(4, 60, 4, 0), theirMsal.GetName().Version);
        Assert.Equal(7, theirJwt.GetName().Version!.Major);

        // Ours: a token through MSAL, its signature checked with IdentityModel against the fake authority's keys.
        var checkedToken = Script(
            "$t = Get-PartnerAccessToken -TenantId $tenant -ClientId $app -ClientSecret $secret -AuthorityHost $authority; " +
            "$t | Test-AccessToken -RequiredRole Incident.Read.All -TenantId $tenant -Detailed | ForEach-Object { $_.IsValid -and $_.SignatureVerified }").Succeeded();
        Assert.Equal(true, checkedToken.Output.Single().BaseObject);

        // Two copies of each now live in the process: theirs in the default context, ours in the module's.
        var ourMsal = Loaded("Microsoft.Identity.Client").Single(a => AssemblyLoadContext.GetLoadContext(a)?.Name == "MdApiTokens");
        // The signature check uses IdentityModel's keys and crypto (Microsoft.IdentityModel.Tokens), beside their 7.x copy.
        var ourJwt = Loaded("Microsoft.IdentityModel.Tokens").Single(a => AssemblyLoadContext.GetLoadContext(a)?.Name == "MdApiTokens");
        Assert.True(ourMsal.GetName().Version > theirMsal.GetName().Version);
        Assert.True(ourJwt.GetName().Version!.Major >= 8);
        Assert.StartsWith(Path.Combine(ModuleLayout.Directory, "dependencies"), ourMsal.Location);

        // And theirs still works for them: a confidential client built with their MSAL, a JWT read with their handler.
        var builderType = theirMsal.GetType("Microsoft.Identity.Client.ConfidentialClientApplicationBuilder", throwOnError: true)!;
        var builder = builderType.GetMethod("Create", new[] { typeof(string) })!.Invoke(null, new object[] { Guid.NewGuid().ToString() })!;
        builder = builderType.GetMethod("WithClientSecret", new[] { typeof(string) })!.Invoke(builder, new object[] { "their-secret" })!;
        var app = builderType.GetMethod("Build")!.Invoke(builder, null)!;
        Assert.Same(theirMsal, app.GetType().Assembly);

        using var key = System.Security.Cryptography.RSA.Create(2048);
        var jwt = MdApiTokens.Tests.Shared.TestJwt.Create(key, MdApiTokens.Tests.Shared.TestJwt.AppOnlyClaims(TenantId, ClientId, Start, TimeSpan.FromHours(1), "Incident.Read.All"));
        var handler = Activator.CreateInstance(theirJwt.GetType("System.IdentityModel.Tokens.Jwt.JwtSecurityTokenHandler", throwOnError: true)!)!;
        var read = handler.GetType().GetMethod("ReadJwtToken", new[] { typeof(string) })!.Invoke(handler, new object[] { jwt })!;
        Assert.Equal("JwtSecurityToken", read.GetType().Name);
        Assert.Same(theirJwt, read.GetType().Assembly);
    }

    // Loaded once per process, dependencies first, as a module's own resolver would.
    private static Assembly[] LoadTheirs()
    {
        var folder = Path.Combine(AppContext.BaseDirectory, "OtherModule");
        var order = new[]
        {
            "Microsoft.IdentityModel.Abstractions", "Microsoft.IdentityModel.Logging", "Microsoft.IdentityModel.Tokens",
            "Microsoft.IdentityModel.JsonWebTokens", "System.IdentityModel.Tokens.Jwt", "Microsoft.Identity.Client",
        };
        return order.Select(n => AssemblyLoadContext.Default.LoadFromAssemblyPath(Path.Combine(folder, n + ".dll"))).ToArray();
    }

    private static IEnumerable<Assembly> Loaded(string name) =>
        AppDomain.CurrentDomain.GetAssemblies().Where(a => a.GetName().Name == name);
}
