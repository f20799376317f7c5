namespace MdApiTokens.Core.AccessTokens;

/// <summary>The stable error ids of Test-AccessToken's inputs (a bad token is $false, not an error).</summary>
public static class AccessTokensErrorIds
{
    public const string TokenFileNotFound = "AccessTokenFileNotFound";
    public const string TokenFileReadFailed = "AccessTokenFileReadFailed";
    public const string TokenPathInvalid = "AccessTokenPathInvalid";
    public const string JwksNotFound = "AccessTokenJwksNotFound";
    public const string JwksInvalid = "AccessTokenJwksInvalid";
    public const string ClockSkewInvalid = "AccessTokenClockSkewInvalid";
}
