using System;
using MdApiTokens.Core.Shared;

namespace MdApiTokens.Core.Defender;

/// <summary>
/// The stable error ids of Invoke-DefenderApiRequest and the failures built from them: where a request may go, what it
/// may carry, and the API's answers in words that fit any Defender endpoint. Other failures keep the ids of
/// <see cref="DefenderErrors"/>.
/// </summary>
public static class DefenderApiRequestErrors
{
    /// <summary>An absolute -Uri to a host that is neither a Defender API host nor the host of -ApiUri: the token is not sent there.</summary>
    public const string HostNotAllowed = "DefenderApiRequestHostNotAllowed";

    /// <summary>A -Path that is absolute or leaves the API base, or a -Uri that is not absolute.</summary>
    public const string PathInvalid = "DefenderApiRequestPathInvalid";

    /// <summary>A -Body that is not JSON (a string) or cannot be written as JSON (an object), or a body on a GET.</summary>
    public const string BodyInvalid = "DefenderApiRequestBodyInvalid";

    internal static MdApiTokensException HostRefused(Uri uri) =>
        new(HostNotAllowed, ErrorKind.SecurityError,
            $"Refusing to send the access token to {uri.GetLeftPart(UriPartial.Authority)}: it is not a Microsoft Defender API host.", uri.GetLeftPart(UriPartial.Authority),
            "Use -Path with -ApiUri, -Region or -Cloud, or an absolute -Uri on a Defender API host (" + CloudTable.Public.DefenderApi.Host + ", " + CloudTable.Public.DefenderForEndpointApi.Host + " and their regional and US government hosts). To call another host on purpose (a proxy, a test fake), give it as -ApiUri.");

    internal static MdApiTokensException PathNotRelative(string path) =>
        new(PathInvalid, ErrorKind.InvalidArgument,
            $"-Path '{path}' is not a path relative to the API base.", path,
            "Give a path such as api/machines or /api/alerts?$top=10; for an absolute address use -Uri.");

    internal static MdApiTokensException UriNotAbsolute(Uri uri) =>
        new(PathInvalid, ErrorKind.InvalidArgument,
            $"-Uri '{uri.OriginalString}' is not an absolute address.", uri.OriginalString,
            "Give an absolute https address such as " + CloudTable.Public.DefenderApi + "api/incidents, or a relative one with -Path.");

    // The address is not echoed: its user information may be a password.
    internal static MdApiTokensException UriWithUserInfo() =>
        new(PathInvalid, ErrorKind.InvalidArgument,
            "-Uri carries user information (user:password@); credentials never go in the address.", null,
            "Leave the user information out: the access token is the only credential sent.");

    /// <summary>The failure for a -Body that cannot be sent, saying why.</summary>
    public static MdApiTokensException BodyNotJson(string problem) =>
        new(BodyInvalid, ErrorKind.InvalidArgument,
            $"-Body cannot be sent: {problem}", null,
            "Give a hashtable or object (it is written as JSON) or a JSON string, as the endpoint's documentation shows.");

    /// <summary>The request's failure for what the transport reported: 400 and 403 in words that fit any Defender endpoint.</summary>
    internal static DefenderApiException Rephrase(DefenderApiException e, string request, object target)
    {
        var said = e.ApiError is null ? "" : $" The API said: {e.ApiError}.";
        switch (e.StatusCode is { } status ? (int)status : 0)
        {
            case 400:
                return new DefenderApiException(DefenderErrors.InvalidRequest, ErrorKind.InvalidArgument,
                    $"The API rejected {request} (400 Bad Request).{said}", target,
                    "Check -Path, its query options and -Body against the endpoint's documentation (the message above is the API's own).", e.StatusCode, e.ApiError);
            case 403:
                return new DefenderApiException(DefenderErrors.PermissionDenied, ErrorKind.PermissionDenied,
                    $"The access token is not allowed to make {request} (403 Forbidden).{said}", target,
                    "Add the application permission the endpoint's documentation names (for example Machine.Read.All of WindowsDefenderATP, or Incident.Read.All of Microsoft Threat Protection) to the app, have the customer's admin consent again (Get-PartnerConsentLink), then get a new token; Test-AccessToken shows the token's roles.",
                    e.StatusCode, e.ApiError);
            default:
                return e;
        }
    }
}
