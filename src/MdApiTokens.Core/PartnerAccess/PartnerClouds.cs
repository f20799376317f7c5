using System;
using System.Globalization;
using System.Text.RegularExpressions;
using MdApiTokens.Core.Shared;

namespace MdApiTokens.Core.PartnerAccess;

/// <summary>
/// The sign-in side of each cloud (read from <see cref="CloudTable"/>) and the checks on the identifiers that go into an
/// authority (tenant, application id, authority host).
/// </summary>
public static class PartnerClouds
{
    private static readonly Regex s_domainName = new(
        @"^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);

    /// <summary>The identity platform host of <paramref name="cloud"/> (with a trailing slash).</summary>
    public static Uri AuthorityHost(AzureCloud cloud) => CloudTable.For(cloud).SignInHost;

    /// <summary>The app-only scope of the Defender API in <paramref name="cloud"/>.</summary>
    public static string DefaultScope(AzureCloud cloud) => CloudTable.For(cloud).DefenderScope;

    /// <summary>
    /// Checks a caller-given authority host: absolute https, no user info, query or fragment. Returns it with a
    /// trailing slash so a tenant can be appended.
    /// </summary>
    public static Uri ValidateAuthorityHost(Uri host)
    {
        if (host is null)
        {
            throw new ArgumentNullException(nameof(host));
        }

        var problem = BaseAddress.HttpsProblem(host);
        if (problem is not null)
        {
            throw new MdApiTokensException(PartnerAccessErrors.AuthorityHostInvalid, ErrorKind.InvalidArgument,
                $"The authority host '{BaseAddress.ForDisplay(host)}' cannot be used: {problem}.", BaseAddress.ForDisplay(host),
                AuthorityHostAdvice);
        }

        return BaseAddress.WithTrailingSlash(host);
    }

    /// <summary>What to do about a sign-in host that cannot be used.</summary>
    internal static string AuthorityHostAdvice => $"Give the identity platform's base address, such as {CloudTable.Public.SignInHost.GetLeftPart(UriPartial.Authority)}, or use -Cloud.";

    /// <summary>The authority (host + tenant) MSAL signs in against.</summary>
    public static Uri Authority(Uri authorityHost, string tenantId) => new(authorityHost, Uri.EscapeDataString(tenantId) + "/");

    /// <summary>
    /// A customer tenant as the identity platform takes it: a directory id (GUID, returned lower-case) or a verified
    /// domain name such as contoso.onmicrosoft.com. 'common', 'organizations' and 'consumers' are refused: an app-only
    /// token is always for one tenant.
    /// </summary>
    public static string NormalizeTenantId(string? tenantId)
    {
        var value = (tenantId ?? "").Trim();
        if (Guid.TryParseExact(value, "D", out var id))
        {
            return id.ToString("D", CultureInfo.InvariantCulture);
        }

        if (value is { Length: > 0 } && (value.Equals("common", StringComparison.OrdinalIgnoreCase)
            || value.Equals("organizations", StringComparison.OrdinalIgnoreCase)
            || value.Equals("consumers", StringComparison.OrdinalIgnoreCase)))
        {
            throw new MdApiTokensException(PartnerAccessErrors.TenantIdInvalid, ErrorKind.InvalidArgument,
                $"'{value}' is not a tenant: an app-only token is issued for one customer tenant.", value,
                "Give the customer's tenant id (a GUID) or one of its verified domains, such as contoso.onmicrosoft.com.", scope: ErrorScope.Item);
        }

        if (s_domainName.IsMatch(value))
        {
            return value.ToLowerInvariant();
        }

        throw new MdApiTokensException(PartnerAccessErrors.TenantIdInvalid, ErrorKind.InvalidArgument,
            value.Length == 0 ? "The tenant id is empty." : $"'{Shorten(value)}' is neither a tenant id (GUID) nor a domain name.", Shorten(value),
            "Give the customer's tenant id (a GUID, as the customer's Entra admin center shows it) or one of its verified domains.", scope: ErrorScope.Item);
    }

    /// <summary>An application (client) id: a GUID, returned lower-case.</summary>
    public static string NormalizeClientId(string? clientId)
    {
        var value = (clientId ?? "").Trim();
        if (Guid.TryParseExact(value, "D", out var id))
        {
            return id.ToString("D", CultureInfo.InvariantCulture);
        }

        // The value is not echoed: a secret pasted into the wrong parameter must not end up in an error.
        throw new MdApiTokensException(PartnerAccessErrors.ClientIdInvalid, ErrorKind.InvalidArgument,
            value.Length == 0 ? "The application (client) id is empty." : $"The application (client) id given ({value.Length} characters) is not a GUID.", null,
            "Copy the Application (client) ID from the app registration's Overview page.", scope: ErrorScope.Item);
    }

    private static string Shorten(string value) => value.Length <= 80 ? value : value.Substring(0, 77) + "...";
}
