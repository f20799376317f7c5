namespace MdApiTokens.Core.AccessTokens;

/// <summary>The checks Test-AccessToken makes, in the order it makes them.</summary>
public enum AccessTokenCheck
{
    /// <summary>A signed JWT in compact form: three base64url parts, a JSON header and payload.</summary>
    Format,

    /// <summary><c>exp</c> is present and, allowing for clock skew, not yet reached.</summary>
    Expiry,

    /// <summary><c>nbf</c>, when present, is, allowing for clock skew, reached.</summary>
    NotBefore,

    /// <summary>Every required role is in the <c>roles</c> claim.</summary>
    Roles,

    /// <summary><c>tid</c> is the expected tenant.</summary>
    Tenant,

    /// <summary><c>aud</c> is the expected API (its URI or, in v2 tokens, its application id).</summary>
    Audience,

    /// <summary>The signature verifies with one of the signing keys given.</summary>
    Signature,
}

/// <summary>How one check went.</summary>
public enum AccessTokenCheckOutcome
{
    Passed,
    Failed,

    /// <summary>Not asked for (no required roles, tenant or keys given), or not possible because the token is malformed.</summary>
    Skipped,
}

/// <summary>One check's outcome and, for a person, why.</summary>
public sealed class AccessTokenCheckResult
{
    public AccessTokenCheckResult(AccessTokenCheck check, AccessTokenCheckOutcome outcome, string detail)
    {
        Check = check;
        Outcome = outcome;
        Detail = detail;
    }

    public AccessTokenCheck Check { get; }

    public AccessTokenCheckOutcome Outcome { get; }

    public string Detail { get; }

    public override string ToString() => $"{Check}: {Outcome} ({Detail})";
}
