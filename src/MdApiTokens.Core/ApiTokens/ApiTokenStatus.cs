using System;

namespace MdApiTokens.Core.ApiTokens;

/// <summary>Where a token is in its life, computed from the clock at read time (never stored).</summary>
public enum ApiTokenStatus
{
    /// <summary>Never used.</summary>
    Generated,

    /// <summary>Used within the last 7 days.</summary>
    Active,

    /// <summary>Used, but not within the last 7 days.</summary>
    Inactive,

    /// <summary>Its expiry has passed; it no longer validates.</summary>
    Expired,

    /// <summary>Revoked; it no longer validates. Listed only when asked for (Get-ApiToken -IncludeRevoked).</summary>
    Revoked,
}

/// <summary>The status rules of the API token table.</summary>
public static class ApiTokenStatusRules
{
    /// <summary>A token used at most this long ago is <see cref="ApiTokenStatus.Active"/>.</summary>
    public static readonly TimeSpan ActiveWindow = TimeSpan.FromDays(7);

    public static ApiTokenStatus Compute(DateTimeOffset? lastUsedOn, DateTimeOffset? expiresOn, DateTimeOffset now)
    {
        if (expiresOn is { } expiry && now >= expiry)
        {
            return ApiTokenStatus.Expired;
        }

        if (lastUsedOn is not { } lastUsed)
        {
            return ApiTokenStatus.Generated;
        }

        return now - lastUsed <= ActiveWindow ? ApiTokenStatus.Active : ApiTokenStatus.Inactive;
    }
}
