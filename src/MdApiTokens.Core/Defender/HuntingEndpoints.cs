using System;
using System.Collections.Generic;
using System.Linq;
using MdApiTokens.Core.PartnerAccess;

namespace MdApiTokens.Core.Defender;

/// <summary>Which API runs an advanced hunting query: chosen by the access token's audience.</summary>
public enum DefenderHuntingRoute
{
    /// <summary>POST {api}/api/advancedhunting/run of the Microsoft 365 Defender API.</summary>
    DefenderApi,

    /// <summary>POST {graph}/v1.0/security/runHuntingQuery of Microsoft Graph, the API Microsoft now recommends.</summary>
    MicrosoftGraph,
}

/// <summary>Where Microsoft Graph lives in each cloud, and whether an access token was issued for it.</summary>
/// <remarks>
/// From Microsoft's "National cloud deployments": GCC uses the worldwide graph.microsoft.com, GCC High
/// graph.microsoft.us, DoD dod-graph.microsoft.us. These belong in the shared cloud table once there is one.
/// </remarks>
public static class MicrosoftGraphEndpoint
{
    /// <summary>The application id of Microsoft Graph, the audience of v2 tokens for it.</summary>
    public const string ApplicationId = "00000003-0000-0000-c000-000000000000";

    /// <summary>The worldwide Graph base.</summary>
    public static readonly Uri Default = new("https://graph.microsoft.com/");

    private static readonly string[] s_graphAudiences =
    {
        "https://graph.microsoft.com", "https://graph.microsoft.us", "https://dod-graph.microsoft.us", ApplicationId,
    };

    /// <summary>The Graph base of a cloud, as Get-PartnerAccessToken names them.</summary>
    public static Uri ForCloud(AzureCloud cloud) => cloud switch
    {
        AzureCloud.USGovHigh => new Uri("https://graph.microsoft.us/"),
        AzureCloud.USGovDoD => new Uri("https://dod-graph.microsoft.us/"),
        _ => Default,
    };

    /// <summary>The Graph base to call: <paramref name="graphUri"/> when given (a test fake), else the cloud's; refuses an address a bearer token must not go to.</summary>
    public static Uri Resolve(Uri? graphUri, AzureCloud? cloud) =>
        DefenderApiEndpoint.CheckSafeForBearerToken(graphUri ?? ForCloud(cloud ?? AzureCloud.Public));

    /// <summary>True when one of the audiences is Microsoft Graph (its URI in any cloud, with or without a trailing '/', or its application id).</summary>
    public static bool IsGraphAudience(IEnumerable<string> audiences) =>
        audiences.Any(a => s_graphAudiences.Contains((a ?? "").Trim().TrimEnd('/'), StringComparer.OrdinalIgnoreCase));
}
