using System;
using System.Net;
using MdApiTokens.Core.Shared;

namespace MdApiTokens.Core.Defender;

/// <summary>The regional hosts of the Microsoft 365 Defender API in the public cloud, closer to where the data lives.</summary>
public enum DefenderApiRegion
{
    /// <summary>United States.</summary>
    US,

    /// <summary>European Union.</summary>
    EU,

    /// <summary>United Kingdom.</summary>
    UK,

    /// <summary>Australia.</summary>
    AU,

    /// <summary>Switzerland.</summary>
    SWA,

    /// <summary>India.</summary>
    INA,

    /// <summary>United Arab Emirates.</summary>
    AEA,
}

/// <summary>Where the incidents API lives: the worldwide host, a regional host, a US government host, or an address given (a test fake).</summary>
public static class DefenderApiEndpoint
{
    /// <summary>The worldwide API base.</summary>
    public static readonly Uri Default = CloudTable.Public.DefenderApi;

    /// <summary>GCC (US Government Community Cloud).</summary>
    public static readonly Uri Gcc = CloudTable.For(AzureCloud.USGov).DefenderApi;

    /// <summary>GCC High and DoD.</summary>
    public static readonly Uri Gov = CloudTable.For(AzureCloud.USGovHigh).DefenderApi;

    /// <summary>The API base for a region of the public cloud.</summary>
    public static Uri ForRegion(DefenderApiRegion region) => CloudTable.DefenderApiForRegion(region.ToString());

    /// <summary>The API base for a cloud, as Get-PartnerAccessToken names them.</summary>
    public static Uri ForCloud(AzureCloud cloud) => CloudTable.For(cloud).DefenderApi;

    /// <summary>
    /// The API base to call: <paramref name="apiUri"/> when given (it wins over region and cloud, so a piped token's
    /// cloud does not override a test fake's address); else the region's host (public cloud only); else the cloud's.
    /// Refuses an address the bearer token must not be sent to.
    /// </summary>
    public static Uri Resolve(Uri? apiUri, DefenderApiRegion? region, AzureCloud? cloud)
    {
        Uri result;
        if (apiUri is not null)
        {
            result = apiUri;
        }
        else if (region is { } r)
        {
            if (cloud is { } c && c != AzureCloud.Public)
            {
                throw new MdApiTokensException(DefenderErrors.ApiUriInvalid, ErrorKind.InvalidArgument,
                    $"The regional API hosts exist only in the public cloud, but the cloud is {c}.", r,
                    "Leave out -Region for a US government cloud; its host is chosen from -Cloud.");
            }

            result = ForRegion(r);
        }
        else
        {
            result = ForCloud(cloud ?? AzureCloud.Public);
        }

        return CheckSafeForBearerToken(result);
    }

    /// <summary>
    /// Returns the base normalised to end in '/', or throws when it is not absolute http(s), carries credentials, a
    /// query or a fragment, or is plain http to anything but a loopback address (a bearer token would travel in clear).
    /// </summary>
    public static Uri CheckSafeForBearerToken(Uri apiUri)
    {
        if (apiUri is null)
        {
            throw new ArgumentNullException(nameof(apiUri));
        }

        if (!apiUri.IsAbsoluteUri || (apiUri.Scheme != Uri.UriSchemeHttps && apiUri.Scheme != Uri.UriSchemeHttp))
        {
            throw new MdApiTokensException(DefenderErrors.ApiUriInvalid, ErrorKind.InvalidArgument,
                $"'{BaseAddress.ForDisplay(apiUri)}' is not an absolute https address.", BaseAddress.ForDisplay(apiUri),
                $"Give the API base, for example {Default}, or use -Region.");
        }

        if (apiUri.UserInfo.Length > 0 || apiUri.Query.Length > 0 || apiUri.Fragment.Length > 0)
        {
            throw new MdApiTokensException(DefenderErrors.ApiUriInvalid, ErrorKind.InvalidArgument,
                "The API address must be a plain base address, without user information, query or fragment.", $"{apiUri.Scheme}://{apiUri.Authority}",
                $"Give the API base only, for example {Default}.");
        }

        if (apiUri.Scheme == Uri.UriSchemeHttp && !IsLoopback(apiUri))
        {
            throw new MdApiTokensException(DefenderErrors.InsecureApiUri, ErrorKind.SecurityError,
                $"Refusing to send a bearer token over plain http to '{apiUri.Host}': anyone on the network path could read and reuse it.",
                apiUri.GetLeftPart(UriPartial.Authority),
                "Use an https address. Plain http is accepted only for a loopback address (127.0.0.1, ::1, localhost), such as a local test fake.");
        }

        return BaseAddress.WithTrailingSlash(apiUri);
    }

    /// <summary>True for localhost and the loopback addresses (127.0.0.0/8, ::1).</summary>
    public static bool IsLoopback(Uri uri)
    {
        if (uri.IsLoopback)
        {
            return true;
        }

        var host = uri.Host.Trim('[', ']');
        return string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase)
            || (IPAddress.TryParse(host, out var address) && IPAddress.IsLoopback(address));
    }

    /// <summary>True when <paramref name="link"/> is on the same scheme, host and port as <paramref name="apiBase"/>: the only place a token may follow a nextLink to.</summary>
    public static bool IsSameOrigin(Uri apiBase, Uri link) =>
        link.IsAbsoluteUri
        && string.Equals(link.Scheme, apiBase.Scheme, StringComparison.OrdinalIgnoreCase)
        && string.Equals(link.Host, apiBase.Host, StringComparison.OrdinalIgnoreCase)
        && link.Port == apiBase.Port;
}
