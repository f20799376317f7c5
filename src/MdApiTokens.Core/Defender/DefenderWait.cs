using System;

namespace MdApiTokens.Core.Defender;

/// <summary>Why a request to the Defender API is held back.</summary>
public enum DefenderWaitReason
{
    /// <summary>The tenant's call quota (50 calls a minute for most endpoints, 45 for hunting) has no room yet.</summary>
    Quota,

    /// <summary>The API answered 429 or 503 and said how long to wait (Retry-After).</summary>
    RetryAfter,

    /// <summary>A transient failure: backing off before the next attempt.</summary>
    Backoff,
}

/// <summary>A request held back before it is sent: why, for how long, and for which tenant.</summary>
public sealed record DefenderWait(DefenderWaitReason Reason, TimeSpan Duration, string? TenantId, string ApiHost)
{
    /// <summary>What a person reads while it lasts, e.g. "Waiting 45 s for the API quota of tenant ...".</summary>
    public string Describe() => Reason switch
    {
        DefenderWaitReason.Quota => $"Waiting {DefenderErrors.Format(Duration)} for room in the call quota of tenant {TenantId ?? ApiHost}",
        DefenderWaitReason.RetryAfter => $"Waiting {DefenderErrors.Format(Duration)} as the API's Retry-After asks, for tenant {TenantId ?? ApiHost}",
        _ => $"Waiting {DefenderErrors.Format(Duration)} before trying again, for tenant {TenantId ?? ApiHost}",
    };
}
