using System;
using System.Collections.Generic;
using System.Linq;
using MdApiTokens.Core.Shared;

namespace MdApiTokens.Core.Defender;

/// <summary>Which API runs an advanced hunting query: chosen by the access token's audience.</summary>
public enum DefenderHuntingRoute
{
    /// <summary>POST {api}/api/advancedhunting/run of the Microsoft 365 Defender API.</summary>
    DefenderApi,

    /// <summary>POST {graph}/v1.0/security/runHuntingQuery of Microsoft Graph, the API Microsoft now recommends.</summary>
    MicrosoftGraph,
}

/// <summary>Where Microsoft Graph lives in each cloud (from the shared cloud table), and whether an access token was issued for it.</summary>
public static class MicrosoftGraphEndpoint
{
    /// <summary>The worldwide Graph base.</summary>
    public static Uri Default => CloudTable.Public.Graph;

    /// <summary>The Graph resource as tokens name it in the worldwide cloud, for advice text.</summary>
    public static string DefaultResource => CloudTable.Resource(CloudTable.Public.Graph);

    /// <summary>The Graph base of a cloud, as Get-PartnerAccessToken names them.</summary>
    public static Uri ForCloud(AzureCloud cloud) => CloudTable.For(cloud).Graph;

    /// <summary>The Graph base to call: <paramref name="graphUri"/> when given (a test fake), else the cloud's; refuses an address a bearer token must not go to.</summary>
    public static Uri Resolve(Uri? graphUri, AzureCloud? cloud) =>
        DefenderApiEndpoint.CheckSafeForBearerToken(graphUri ?? ForCloud(cloud ?? AzureCloud.Public));

    /// <summary>True when one of the audiences is Microsoft Graph (its URI in any cloud, with or without a trailing '/', or its application id).</summary>
    public static bool IsGraphAudience(IEnumerable<string> audiences)
    {
        var graph = CloudTable.All.Select(c => CloudTable.Resource(c.Graph)).Append(CloudTable.GraphApplicationId).ToList();
        return audiences.Any(a => graph.Contains((a ?? "").Trim().TrimEnd('/'), StringComparer.OrdinalIgnoreCase));
    }
}
