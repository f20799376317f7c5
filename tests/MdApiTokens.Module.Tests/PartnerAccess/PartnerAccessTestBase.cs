using System.Collections;
using System.Management.Automation;
using System.Net;
using System.Security;
using MdApiTokens.Module.Tests.Infrastructure;
using MdApiTokens.Tests.Shared;

namespace MdApiTokens.Module.Tests.PartnerAccess;

/// <summary>A session with the module and a fake identity platform on 127.0.0.1, an application registered with a secret.</summary>
public abstract class PartnerAccessTestBase : ModuleTestBase
{
    protected const string SecretText = "Qx7~partner.Secret-Value+/=9";

    protected PartnerAccessTestBase(System.Management.Automation.Host.PSHost? host = null)
        : base(host)
    {
        // Tokens are minted at the session's fixed clock, so Test-AccessToken sees them as current.
        Fake.Now = () => Start;
        Fake.Register(ClientId, SecretText);
    }

    protected IdentityPlatformFake Fake { get; } = new();

    /// <summary>A fresh application id per test: the module's token cache is process-wide.</summary>
    protected string ClientId { get; } = Guid.NewGuid().ToString();

    protected string TenantId { get; } = Guid.NewGuid().ToString();

    protected static SecureString Secure(string value) => new NetworkCredential("", value).SecurePassword;

    /// <summary>Get-PartnerAccessToken against the fake with the registered secret, plus <paramref name="parameters"/>.</summary>
    protected RunResult GetToken(params (string Name, object? Value)[] parameters)
    {
        var table = new Hashtable(StringComparer.OrdinalIgnoreCase)
        {
            ["TenantId"] = TenantId,
            ["ClientId"] = ClientId,
            ["ClientSecret"] = Secure(SecretText),
            ["AuthorityHost"] = Fake.AuthorityHost,
        };
        foreach (var (name, value) in parameters)
        {
            if (value is null)
            {
                table.Remove(name);
            }
            else
            {
                table[name] = value;
            }
        }

        return Session.Command("Get-PartnerAccessToken", table);
    }

    /// <summary>Runs <paramref name="script"/> with $app, $secret, $authority and $tenant set.</summary>
    protected RunResult Script(string script, Hashtable? variables = null)
    {
        var all = new Hashtable(StringComparer.OrdinalIgnoreCase)
        {
            ["app"] = ClientId,
            ["secret"] = Secure(SecretText),
            ["authority"] = Fake.AuthorityHost,
            ["tenant"] = TenantId,
        };
        foreach (DictionaryEntry entry in variables ?? new Hashtable())
        {
            all[entry.Key] = entry.Value;
        }

        return Session.Run(script, all);
    }

    /// <summary>Everything a user or a log could see of a run: output, every stream, and every error's full text.</summary>
    protected static string Everything(RunResult result) => string.Join("\n",
        result.Output.Select(o => o.ToString())
            .Concat(result.Warnings)
            .Concat(result.Verbose)
            .Concat(result.AllErrors.SelectMany(e => new[]
            {
                e.ToString(), e.FullyQualifiedErrorId, e.Exception.ToString(), e.ErrorDetails?.Message ?? "", e.ErrorDetails?.RecommendedAction ?? "",
                e.TargetObject?.ToString() ?? "", e.CategoryInfo.ToString(),
            })));

    protected static void AssertNoSecret(string text, string secret = SecretText)
    {
        foreach (var form in new[] { secret, Uri.EscapeDataString(secret), WebUtility.UrlEncode(secret) })
        {
            Assert.DoesNotContain(form, text, StringComparison.OrdinalIgnoreCase);
        }
    }

    public override void Dispose()
    {
        Fake.Dispose();
        base.Dispose();
    }
}
