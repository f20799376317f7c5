using System;
using MdApiTokens.Core.Shared;

namespace MdApiTokens.Core.AccessTokens;

/// <summary>
/// The stable error ids of Test-AccessToken's inputs, and their factories. A bad token is $false with the failed check,
/// never an error; these are about what the caller gave (paths, key files, options).
/// </summary>
public static class AccessTokenErrors
{
    public const string TokenFileNotFound = "AccessTokenFileNotFound";
    public const string TokenFileReadFailed = "AccessTokenFileReadFailed";
    public const string TokenPathInvalid = "AccessTokenPathInvalid";
    public const string JwksNotFound = "AccessTokenJwksNotFound";
    public const string JwksInvalid = "AccessTokenJwksInvalid";
    public const string JwksTooLarge = "AccessTokenJwksTooLarge";
    public const string ClockSkewInvalid = "AccessTokenClockSkewInvalid";
    public const string AuthorityHostInvalid = "AccessTokenAuthorityHostInvalid";

    private static string KeysAddress => CloudTable.Public.SignInHost.AbsoluteUri + "<tenant>/discovery/v2.0/keys";

    internal static MdApiTokensException TokenFileMissing(string path) =>
        new(TokenFileNotFound, ErrorKind.ObjectNotFound, $"The token file '{path}' does not exist.", path,
            "Give the path of a file that holds one access token, such as one written by Get-PartnerAccessToken -OutFile.");

    internal static MdApiTokensException TokenFileUnreadable(string path, Exception e) =>
        new(TokenFileReadFailed, ErrorKind.ReadError, $"The token file '{path}' could not be read: {e.Message}", path,
            "Check that the path is a file your account can read.");

    internal static MdApiTokensException JwksMissing(string path) =>
        new(JwksNotFound, ErrorKind.ObjectNotFound, $"The signing key file '{path}' does not exist.", path,
            $"Save the tenant's keys, e.g. Invoke-RestMethod {KeysAddress} | ConvertTo-Json -Depth 5 | Set-Content keys.json.");

    internal static MdApiTokensException JwksUnreadable(string path, Exception e) =>
        new(JwksInvalid, ErrorKind.ReadError, $"The signing key file '{path}' could not be read: {e.Message}", path,
            "Check the path and that your account can read it.");

    internal static MdApiTokensException JwksNotAFile(string path) =>
        new(JwksInvalid, ErrorKind.InvalidData, $"The signing key file '{path}' is not a regular file (a device, pipe or folder).", path,
            "Give a JSON Web Key Set saved to a file.");

    internal static MdApiTokensException JwksOverLimit(string path, int limit) =>
        new(JwksTooLarge, ErrorKind.InvalidData, $"The signing key file '{path}' is larger than {limit / 1024} KiB; a key set is a few kilobytes.", path,
            "Give a JSON Web Key Set file, such as the identity platform's keys saved with ConvertTo-Json.");

    internal static MdApiTokensException JwksNotAKeySet(string source) =>
        new(JwksInvalid, ErrorKind.InvalidData, $"The signing keys in {source} are not a JSON Web Key Set.", source,
            $"Give the JSON the identity platform serves at {KeysAddress}.");

    internal static MdApiTokensException JwksEmpty(string source) =>
        new(JwksInvalid, ErrorKind.InvalidData, $"The key set in {source} holds no signing keys.", source,
            "Give a key set with RSA or EC signing keys (kty, n and e, or x5c).");

    internal static MdApiTokensException NegativeClockSkew(TimeSpan skew) =>
        new(ClockSkewInvalid, ErrorKind.InvalidArgument, $"The clock skew {skew} is negative.", skew,
            "Give a clock skew of zero or more, such as (New-TimeSpan -Minutes 5).");

    internal static MdApiTokensException AuthorityHostUnusable(Uri host, string problem) =>
        new(AuthorityHostInvalid, ErrorKind.InvalidArgument, $"The authority host '{BaseAddress.ForDisplay(host)}' cannot be used to fetch signing keys: {problem}.", BaseAddress.ForDisplay(host),
            $"Give the identity platform's base address, such as {CloudTable.Public.SignInHost.GetLeftPart(UriPartial.Authority)}, or use -Cloud.");
}
