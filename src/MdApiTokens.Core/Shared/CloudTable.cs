using System;
using System.Collections.Generic;
using System.Linq;

namespace MdApiTokens.Core.Shared;

/// <summary>Where one cloud signs in and where its APIs live; every address ends in '/'.</summary>
/// <param name="Cloud">The cloud these addresses are for.</param>
/// <param name="SignInHost">The identity platform: token requests, consent links and OpenID metadata.</param>
/// <param name="V1Issuer">The host of v1 tokens' iss claim (<c>{V1Issuer}{tid}/</c>).</param>
/// <param name="DefenderApi">The Microsoft 365 Defender API.</param>
/// <param name="DefenderForEndpointApi">The Microsoft Defender for Endpoint API.</param>
/// <param name="Graph">Microsoft Graph.</param>
public sealed record CloudEndpoints(AzureCloud Cloud, Uri SignInHost, Uri V1Issuer, Uri DefenderApi, Uri DefenderForEndpointApi, Uri Graph)
{
    /// <summary>Where a customer's administrator consents to an application: the sign-in host.</summary>
    public Uri ConsentHost => SignInHost;

    /// <summary>The Defender API as v1 tokens name it in aud, e.g. https://api.security.microsoft.com (no trailing slash).</summary>
    public string DefenderApiAudience => CloudTable.Resource(DefenderApi);

    /// <summary>The app-only scope of the Defender API, e.g. https://api.security.microsoft.com/.default.</summary>
    public string DefenderScope => DefenderApiAudience + "/.default";

    /// <summary>The audience of a token that another identity (a managed identity) presents as a federated credential's client assertion.</summary>
    public string TokenExchangeAudience { get; init; } = "api://AzureADTokenExchange";
}

/// <summary>
/// The one home of every cloud host name and resource application id the module knows.
/// </summary>
/// <remarks>
/// From Microsoft's "Microsoft Defender XDR for US Government customers" and the national cloud deployments of Microsoft
/// Graph: GCC signs in worldwide and calls the GCC API hosts; GCC High and DoD sign in on the US government host and
/// call the government API hosts; DoD has its own Graph host.
/// </remarks>
public static class CloudTable
{
    /// <summary>The application id of the Microsoft 365 Defender API ("Microsoft Threat Protection"), which v2 tokens carry in aud.</summary>
    public const string DefenderApiApplicationId = "8ee8fdad-f234-4243-8f3b-15c294843740";

    /// <summary>The application id of the Defender for Endpoint API ("WindowsDefenderATP").</summary>
    public const string DefenderForEndpointApplicationId = "fc780465-2017-40d4-a0c5-307022471b92";

    /// <summary>The application id of Microsoft Graph, the audience of v2 tokens for it.</summary>
    public const string GraphApplicationId = "00000003-0000-0000-c000-000000000000";

    /// <summary>The regional hosts of the Defender API in the public cloud, by their host prefix.</summary>
    public static readonly IReadOnlyList<string> DefenderApiRegions = new[] { "us", "eu", "uk", "au", "swa", "ina", "aea" };

    /// <summary>The worldwide Defender API as v1 tokens name it in aud (a constant, for defaults).</summary>
    public const string PublicDefenderApiResource = "https://" + PublicDefenderDomain;

    private const string PublicDefenderDomain = "api.security.microsoft.com";

    private static readonly CloudEndpoints s_public = new(AzureCloud.Public,
        new Uri("https://login.microsoftonline.com/"), new Uri("https://sts.windows.net/"),
        new Uri(PublicDefenderApiResource + "/"), new Uri("https://api.securitycenter.microsoft.com/"), new Uri("https://graph.microsoft.com/"));

    private static readonly CloudEndpoints s_gcc = s_public with
    {
        Cloud = AzureCloud.USGov,
        DefenderApi = new Uri("https://api-gcc.security.microsoft.us/"),
        DefenderForEndpointApi = new Uri("https://api-gcc.securitycenter.microsoft.us/"),
    };

    private static readonly CloudEndpoints s_gccHigh = new(AzureCloud.USGovHigh,
        new Uri("https://login.microsoftonline.us/"), new Uri("https://login.microsoftonline.us/"),
        new Uri("https://api-gov.security.microsoft.us/"), new Uri("https://api-gov.securitycenter.microsoft.us/"), new Uri("https://graph.microsoft.us/"))
    {
        TokenExchangeAudience = "api://AzureADTokenExchangeUSGov",
    };

    private static readonly CloudEndpoints s_dod = s_gccHigh with { Cloud = AzureCloud.USGovDoD, Graph = new Uri("https://dod-graph.microsoft.us/") };

    private static readonly CloudEndpoints[] s_all = { s_public, s_gcc, s_gccHigh, s_dod };

    /// <summary>The worldwide cloud's endpoints.</summary>
    public static CloudEndpoints Public => s_public;

    /// <summary>The endpoints of every cloud.</summary>
    public static IReadOnlyList<CloudEndpoints> All => s_all;

    /// <summary>The endpoints of <paramref name="cloud"/>.</summary>
    public static CloudEndpoints For(AzureCloud cloud) => cloud switch
    {
        AzureCloud.USGov => s_gcc,
        AzureCloud.USGovHigh => s_gccHigh,
        AzureCloud.USGovDoD => s_dod,
        _ => s_public,
    };

    /// <summary>The Defender API base of a public-cloud region (one of <see cref="DefenderApiRegions"/>).</summary>
    public static Uri DefenderApiForRegion(string region)
    {
        var prefix = (region ?? "").Trim().ToLowerInvariant();
        if (!DefenderApiRegions.Contains(prefix))
        {
            throw new ArgumentOutOfRangeException(nameof(region), region, "Not a region of the Defender API.");
        }

        return new Uri($"https://{prefix}.{PublicDefenderDomain}/");
    }

    /// <summary>True when <paramref name="host"/> is the sign-in host of a cloud (MSAL knows these authorities).</summary>
    public static bool IsKnownSignInHost(string host) => s_all.Any(c => string.Equals(c.SignInHost.Host, host, StringComparison.OrdinalIgnoreCase));

    /// <summary>
    /// The names a token's aud may give for <paramref name="resource"/> (a resource URI without /.default, or an
    /// application id): a Defender API's URI in one cloud also matches that API's application id (as v2 tokens name it),
    /// and the application id matches the API's URI in every cloud. Any other resource is only itself.
    /// </summary>
    public static IReadOnlyCollection<string> AudienceAliases(string resource)
    {
        var accepted = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { resource };
        foreach (var (applicationId, uris) in new[]
        {
            (DefenderApiApplicationId, s_all.Select(c => Resource(c.DefenderApi))),
            (DefenderForEndpointApplicationId, s_all.Select(c => Resource(c.DefenderForEndpointApi))),
        })
        {
            if (string.Equals(resource, applicationId, StringComparison.OrdinalIgnoreCase))
            {
                accepted.UnionWith(uris);
            }
            else if (uris.Contains(resource, StringComparer.OrdinalIgnoreCase))
            {
                accepted.Add(applicationId);
            }
        }

        return accepted;
    }

    /// <summary>A resource URI as tokens name it: scheme and host, no trailing slash.</summary>
    internal static string Resource(Uri api) => api.GetLeftPart(UriPartial.Authority);
}
