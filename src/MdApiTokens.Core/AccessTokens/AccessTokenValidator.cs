using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using MdApiTokens.Core.Shared;

namespace MdApiTokens.Core.AccessTokens;

/// <summary>
/// Decodes an access token (a JWT) and checks what the partner-access documentation asks a person to check on jwt.ms:
/// the roles, the tenant, the audience, the lifetime and the signature: by default against the keys the issuing
/// authority publishes (its issuer checked against the token's tenant), or keys given, or, only when asked, not at all.
/// It never throws for a bad token: what is not a well-formed JWT fails <see cref="AccessTokenCheck.Format"/>, a
/// claim of the wrong type fails its check, and keys that cannot be fetched fail <see cref="AccessTokenCheck.Signature"/>.
/// </summary>
/// <remarks>
/// v1 and v2 tokens differ: v1 names the API in <c>aud</c> by its URI and the client in <c>appid</c>, and is issued by
/// <c>{v1 issuer}/{tid}/</c>; v2 usually names the API by its application id and the client in <c>azp</c>, and is
/// issued by <c>{sign-in host}/{tid}/v2.0</c>. The audience check accepts either form for the Defender API, and
/// <see cref="AccessTokenValidationResult.AppId"/> is appid or azp.
/// </remarks>
public sealed class AccessTokenValidator
{
    /// <summary>Longer input is not inspected (real access tokens are a few kilobytes).</summary>
    public const int MaxTokenLength = BearerToken.MaxLength;

    private readonly IClock _clock;

    public AccessTokenValidator(IClock clock) => _clock = clock ?? throw new ArgumentNullException(nameof(clock));

    /// <summary>Checks <paramref name="token"/> (a leading "Bearer " is ignored) against <paramref name="options"/>; may fetch the issuer's keys.</summary>
    public AccessTokenValidationResult Validate(string? token, AccessTokenValidationOptions? options = null) =>
        ValidateAsync(token, options, CancellationToken.None).ConfigureAwait(false).GetAwaiter().GetResult();

    /// <summary>Checks <paramref name="token"/> (a leading "Bearer " is ignored) against <paramref name="options"/>.</summary>
    /// <exception cref="MdApiTokensException">The options are not usable (a negative clock skew, an authority host that is not plain https).</exception>
    public async Task<AccessTokenValidationResult> ValidateAsync(string? token, AccessTokenValidationOptions? options, CancellationToken cancellationToken)
    {
        options ??= new AccessTokenValidationOptions();
        if (options.ClockSkew < TimeSpan.Zero)
        {
            throw AccessTokenErrors.NegativeClockSkew(options.ClockSkew);
        }

        var signInHost = CloudTable.For(options.Cloud).SignInHost;
        if (options.AuthorityHost is { } host)
        {
            signInHost = BaseAddress.HttpsProblem(host) is { } hostProblem ? throw AccessTokenErrors.AuthorityHostUnusable(host, hostProblem) : BaseAddress.WithTrailingSlash(host);
        }

        var checks = new List<AccessTokenCheckResult>();
        var claims = BearerToken.Decode(token, out var compact, out var problem);
        if (claims is null)
        {
            checks.Add(new AccessTokenCheckResult(AccessTokenCheck.Format, AccessTokenCheckOutcome.Failed, "The token is not a well-formed JWT: " + problem + "."));
            foreach (var check in new[] { AccessTokenCheck.Expiry, AccessTokenCheck.NotBefore, AccessTokenCheck.Roles, AccessTokenCheck.Tenant, AccessTokenCheck.Audience, AccessTokenCheck.Signature })
            {
                checks.Add(new AccessTokenCheckResult(check, AccessTokenCheckOutcome.Skipped, "Not checked: the token is malformed."));
            }

            return new AccessTokenValidationResult(checks, null);
        }

        checks.Add(new AccessTokenCheckResult(AccessTokenCheck.Format, AccessTokenCheckOutcome.Passed, $"A JWT signed with {claims.Algorithm ?? "no algorithm"}{(claims.Version is null ? "" : ", version " + claims.Version)}."));
        var now = _clock.UtcNow;
        checks.Add(CheckExpiry(claims, now, options.ClockSkew));
        checks.Add(CheckNotBefore(claims, now, options.ClockSkew));
        checks.Add(CheckRoles(claims, options.RequiredRoles));
        checks.Add(CheckTenant(claims, options.TenantId));
        checks.Add(CheckAudience(claims, options.Audience));
        checks.Add(await CheckSignatureAsync(compact!, claims, options, signInHost, cancellationToken).ConfigureAwait(false));
        return new AccessTokenValidationResult(checks, claims);
    }

    /// <summary>The audiences a token may name for <paramref name="audience"/>: itself and, for the Defender API, its other form.</summary>
    public static IReadOnlyCollection<string> AcceptedAudiences(string audience)
    {
        return CloudTable.AudienceAliases(NormalizeAudience(audience));
    }

    private static AccessTokenCheckResult CheckExpiry(DecodedClaims claims, DateTimeOffset now, TimeSpan skew)
    {
        if (claims.ExpiresOn is not { } exp)
        {
            return Failed(AccessTokenCheck.Expiry, claims.Malformed.Contains("exp") ? "The exp claim is not a time (seconds since 1970)." : "The token has no exp claim: a bearer token must expire.");
        }

        return now >= exp + skew
            ? Failed(AccessTokenCheck.Expiry, $"The token expired at {exp:u} ({Ago(now - exp)} ago; clock skew allowed: {skew.TotalMinutes:0.#} min).")
            : Passed(AccessTokenCheck.Expiry, $"Expires at {exp:u}.");
    }

    private static AccessTokenCheckResult CheckNotBefore(DecodedClaims claims, DateTimeOffset now, TimeSpan skew)
    {
        if (claims.NotBefore is not { } nbf)
        {
            return claims.Malformed.Contains("nbf")
                ? Failed(AccessTokenCheck.NotBefore, "The nbf claim is not a time (seconds since 1970).")
                : Passed(AccessTokenCheck.NotBefore, "The token has no nbf claim.");
        }

        return now < nbf - skew
            ? Failed(AccessTokenCheck.NotBefore, $"The token is not valid before {nbf:u} ({Ago(nbf - now)} from now; clock skew allowed: {skew.TotalMinutes:0.#} min). Check this machine's clock.")
            : Passed(AccessTokenCheck.NotBefore, $"Valid from {nbf:u}.");
    }

    private static AccessTokenCheckResult CheckRoles(DecodedClaims claims, IReadOnlyList<string>? required)
    {
        if (claims.Malformed.Contains("roles"))
        {
            return Failed(AccessTokenCheck.Roles, "The roles claim is not a list of role names (or is given twice): the identity platform never issues such a token.");
        }

        var wanted = (required ?? Array.Empty<string>()).Where(r => !string.IsNullOrWhiteSpace(r)).Select(r => r.Trim()).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        if (wanted.Count == 0)
        {
            return Skipped(AccessTokenCheck.Roles, "No role required.");
        }

        var missing = wanted.Where(r => !claims.Roles.Contains(r, StringComparer.OrdinalIgnoreCase)).ToList();
        if (missing.Count == 0)
        {
            return Passed(AccessTokenCheck.Roles, "The token has " + string.Join(", ", wanted) + ".");
        }

        var has = claims.Roles.Length > 0
            ? "it has " + string.Join(", ", claims.Roles)
            : claims.Scopes.Length > 0 ? "it has no roles claim: it is a delegated (user) token with scopes " + string.Join(" ", claims.Scopes) : "it has no roles claim";
        return Failed(AccessTokenCheck.Roles, $"Missing role{(missing.Count == 1 ? "" : "s")} {string.Join(", ", missing)}; {has}. Grant the application permission and consent again in the tenant.");
    }

    private static AccessTokenCheckResult CheckTenant(DecodedClaims claims, string? tenantId)
    {
        if (claims.Malformed.Contains("tid"))
        {
            return Failed(AccessTokenCheck.Tenant, "The tid claim is not a tenant id (or is given twice): the identity platform never issues such a token.");
        }

        if (string.IsNullOrWhiteSpace(tenantId))
        {
            return Skipped(AccessTokenCheck.Tenant, "No tenant required.");
        }

        var expected = tenantId!.Trim();
        if (claims.TenantId is null)
        {
            return Failed(AccessTokenCheck.Tenant, "The token has no tid claim.");
        }

        return string.Equals(claims.TenantId, expected, StringComparison.OrdinalIgnoreCase)
            ? Passed(AccessTokenCheck.Tenant, $"Issued in tenant {claims.TenantId}.")
            : Failed(AccessTokenCheck.Tenant, $"Issued in tenant {claims.TenantId}, not {expected}.");
    }

    private static AccessTokenCheckResult CheckAudience(DecodedClaims claims, string? audience)
    {
        if (claims.Malformed.Contains("aud"))
        {
            return Failed(AccessTokenCheck.Audience, "The aud claim is not a name or a list of names (or is given twice): the identity platform never issues such a token.");
        }

        if (string.IsNullOrWhiteSpace(audience))
        {
            return Skipped(AccessTokenCheck.Audience, "No audience required.");
        }

        var accepted = AcceptedAudiences(audience!);
        var match = claims.Audience.FirstOrDefault(a => accepted.Contains(NormalizeAudience(a)));
        if (match is not null)
        {
            return Passed(AccessTokenCheck.Audience, $"For {match}.");
        }

        return Failed(AccessTokenCheck.Audience, claims.Audience.Length == 0
            ? $"The token has no aud claim; expected {NormalizeAudience(audience!)}."
            : $"The token is for {string.Join(", ", claims.Audience)}, not {NormalizeAudience(audience!)}.");
    }

    private async Task<AccessTokenCheckResult> CheckSignatureAsync(string compact, DecodedClaims claims, AccessTokenValidationOptions options, Uri signInHost, CancellationToken cancellationToken)
    {
        if (AccessTokenSignature.Unverifiable(claims) is { } unverifiable)
        {
            return Failed(AccessTokenCheck.Signature, unverifiable);
        }

        if (options.SkipSignatureCheck)
        {
            return Skipped(AccessTokenCheck.Signature, "Not checked (-SkipSignatureCheck): the claims were decoded and checked, but nothing proves who issued the token.");
        }

        if (options.SigningKeys is { } given)
        {
            return Verify(compact, claims, given, null);
        }

        if (claims.TenantId is null || !Guid.TryParseExact(claims.TenantId, "D", out _))
        {
            return Failed(AccessTokenCheck.Signature, "The token has no tenant id (tid) to find its issuer's keys by; give the keys with -JwksPath.");
        }

        if (claims.Issuer is null)
        {
            return Failed(AccessTokenCheck.Signature, "The token has no issuer (iss) claim.");
        }

        var found = await (options.IssuerKeys ?? AccessTokenIssuerKeys.Shared)
            .GetAsync(signInHost, claims.TenantId, claims.Issuer, claims.KeyId, _clock, options.KeyRequestTimeout, cancellationToken).ConfigureAwait(false);
        if (found.Problem is not null)
        {
            return Failed(AccessTokenCheck.Signature, "Not verified: " + found.Problem + ".");
        }

        var issuer = found.Metadata!.Issuer.Replace("{tenantid}", claims.TenantId);
        if (!string.Equals(claims.Issuer, issuer, StringComparison.Ordinal) || issuer.IndexOf(claims.TenantId, StringComparison.OrdinalIgnoreCase) < 0)
        {
            return Failed(AccessTokenCheck.Signature, $"The token names issuer {claims.Issuer}, but the authority at {signInHost.GetLeftPart(UriPartial.Authority)} issues tenant {claims.TenantId}'s tokens as {issuer}.");
        }

        return Verify(compact, claims, found.Keys!, found.FetchedAt);
    }

    private static AccessTokenCheckResult Verify(string compact, DecodedClaims claims, AccessTokenSigningKeys keys, DateTimeOffset? fetchedAt)
    {
        if (AccessTokenSignature.FindVerifyingKey(compact, claims, keys) is not null)
        {
            return Passed(AccessTokenCheck.Signature, $"Signed by key {claims.KeyId ?? "(no kid)"} from {keys.Source}.");
        }

        if (keys.Candidates(claims.KeyId).Count == 0)
        {
            var refreshed = fetchedAt is { } at ? $" (fetched at {at:u}; fetched again for an unknown key at most every {AccessTokenIssuerKeys.RefreshInterval.TotalMinutes:0} minutes)" : "";
            return Failed(AccessTokenCheck.Signature, $"No key in {keys.Source}{refreshed} has the token's kid {claims.KeyId}; the keys are {string.Join(", ", keys.KeyIds.DefaultIfEmpty("without kid"))}.");
        }

        return Failed(AccessTokenCheck.Signature, $"The signature does not verify with the keys in {keys.Source}: the token was altered or signed by another key.");
    }

    private static string NormalizeAudience(string audience)
    {
        var value = audience.Trim();
        if (value.EndsWith("/.default", StringComparison.OrdinalIgnoreCase))
        {
            value = value.Substring(0, value.Length - "/.default".Length);
        }

        return value.TrimEnd('/');
    }

    private static string Ago(TimeSpan span) =>
        span.TotalDays >= 2 ? $"{span.TotalDays:0} days" : span.TotalHours >= 2 ? $"{span.TotalHours:0} hours" : span.TotalMinutes >= 2 ? $"{span.TotalMinutes:0} minutes" : $"{Math.Max(0, span.TotalSeconds):0} seconds";

    private static AccessTokenCheckResult Passed(AccessTokenCheck check, string detail) => new(check, AccessTokenCheckOutcome.Passed, detail);

    private static AccessTokenCheckResult Failed(AccessTokenCheck check, string detail) => new(check, AccessTokenCheckOutcome.Failed, detail);

    private static AccessTokenCheckResult Skipped(AccessTokenCheck check, string detail) => new(check, AccessTokenCheckOutcome.Skipped, detail);
}
