using MdApiTokens.Core.Shared;

namespace MdApiTokens.Core.PartnerAccess;

/// <summary>The APIs a partner token can be for, by name (Get-PartnerAccessToken -Resource); each cloud's host comes from the cloud table.</summary>
public enum PartnerResource
{
    /// <summary>The Microsoft 365 Defender API (incidents, advanced hunting): the default.</summary>
    Defender,

    /// <summary>The Microsoft Defender for Endpoint API (machines, alerts, indicators), on its own host and resource.</summary>
    Endpoint,

    /// <summary>Microsoft Graph (runHuntingQuery and the security API).</summary>
    Graph,
}

/// <summary>The app-only scope of each <see cref="PartnerResource"/>.</summary>
public static class PartnerResources
{
    /// <summary>The /.default scope of <paramref name="resource"/> in <paramref name="cloud"/>.</summary>
    public static string Scope(PartnerResource resource, AzureCloud cloud)
    {
        var endpoints = CloudTable.For(cloud);
        var api = resource switch
        {
            PartnerResource.Endpoint => endpoints.DefenderForEndpointApi,
            PartnerResource.Graph => endpoints.Graph,
            _ => endpoints.DefenderApi,
        };
        return CloudTable.Resource(api) + "/.default";
    }

    /// <summary>The scopes asked for: <paramref name="scopes"/> as given, or the scope of <paramref name="resource"/>; not both.</summary>
    public static string[]? Resolve(string[]? scopes, PartnerResource? resource, AzureCloud cloud)
    {
        if (resource is not { } named)
        {
            return scopes;
        }

        if (scopes is { Length: > 0 })
        {
            throw new MdApiTokensException(PartnerAccessErrors.ScopeInvalid, ErrorKind.InvalidArgument,
                "-Scope and -Resource both say what the token is for; give one of them.", string.Join(" ", scopes),
                $"Use -Resource {named} alone, or -Scope alone for a resource it does not name.");
        }

        return new[] { Scope(named, cloud) };
    }
}
