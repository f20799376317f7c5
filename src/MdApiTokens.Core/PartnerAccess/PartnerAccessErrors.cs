using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Net.Http;
using System.Text.Json;
using System.Text.RegularExpressions;
using MdApiTokens.Core.Shared;
using Microsoft.Identity.Client;

namespace MdApiTokens.Core.PartnerAccess;

/// <summary>
/// The stable error ids of partner access (Get-PartnerAccessToken, Get-PartnerConsentLink), which scripts and tests
/// match on, and the factories that turn what MSAL throws into <see cref="PartnerAccessException"/>s a person can act
/// on: the AADSTS code decides the id, the message says what to do. Every text that came from the server passes
/// through <see cref="PartnerCredential.Scrub"/>. A failed token request concerns one tenant (<see cref="ErrorScope.Item"/>).
/// </summary>
public static class PartnerAccessErrors
{
    // What the identity platform refused, by AADSTS code.
    public const string ConsentMissing = "PartnerConsentMissing";
    public const string ConditionalAccessBlocked = "PartnerConditionalAccessBlocked";
    public const string SecretInvalid = "PartnerSecretInvalid";
    public const string SecretExpired = "PartnerSecretExpired";
    public const string TenantNotFound = "PartnerTenantNotFound";
    public const string CertificateInvalid = "PartnerCertificateInvalid";
    public const string ResourceNotFound = "PartnerResourceNotFound";
    public const string ScopeInvalid = "PartnerScopeInvalid";
    public const string Throttled = "PartnerTokenRequestThrottled";
    public const string TokenRequestFailed = "PartnerTokenRequestFailed";

    // The conversation with the identity platform itself failed.
    public const string AuthorityUnreachable = "PartnerAuthorityUnreachable";
    public const string TokenRequestTimeout = "PartnerTokenRequestTimeout";
    public const string TokenResponseInvalid = "PartnerTokenResponseInvalid";

    // What the caller gave us, checked before any request.
    public const string TenantIdInvalid = "PartnerTenantIdInvalid";
    public const string ClientIdInvalid = "PartnerClientIdInvalid";
    public const string CredentialMismatch = "PartnerCredentialMismatch";
    public const string SecretEmpty = "PartnerSecretEmpty";
    public const string AuthorityHostInvalid = "PartnerAuthorityHostInvalid";
    public const string CertificateNotFound = "PartnerCertificateNotFound";
    public const string OutFileInvalid = "PartnerOutFileInvalid";
    public const string OutFileWriteFailed = "PartnerOutFileWriteFailed";

    private static readonly Regex s_aadsts = new(@"AADSTS(\d{4,9})", RegexOptions.CultureInvariant);
    private static readonly Regex s_leadingCode = new(@"^AADSTS\d{4,9}:\s*", RegexOptions.CultureInvariant);

    // The platform ends descriptions with these; the message gives the correlation id once, from its own field.
    private static readonly Regex s_references = new(@"\s*(Trace ID|Correlation ID|Timestamp):.*$", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase);

    /// <summary>Codes from Microsoft's AADSTS reference (and, for 900023, what Entra answers for a malformed tenant).</summary>
    private static (string ErrorId, ErrorKind Kind)? ByCode(int code) => code switch
    {
        700016 or 65001 or 7000229 => (ConsentMissing, ErrorKind.PermissionDenied), // app not in tenant / not consented / no service principal
        53003 => (ConditionalAccessBlocked, ErrorKind.PermissionDenied),
        7000215 => (SecretInvalid, ErrorKind.AuthenticationError),
        7000222 => (SecretExpired, ErrorKind.AuthenticationError),
        90002 => (TenantNotFound, ErrorKind.ObjectNotFound),
        900023 => (TenantNotFound, ErrorKind.InvalidArgument),
        700027 or 700024 or 7000214 or 1000502 => (CertificateInvalid, ErrorKind.AuthenticationError),
        500011 => (ResourceNotFound, ErrorKind.ObjectNotFound),
        70011 or 1002012 => (ScopeInvalid, ErrorKind.InvalidArgument),
        _ => null,
    };

    internal static PartnerAccessException FromMsal(MsalException exception, Context context)
    {
        if (exception is MsalServiceException service)
        {
            return FromService(service, context);
        }

        var code = exception.ErrorCode ?? "";
        if (code.IndexOf("json", StringComparison.OrdinalIgnoreCase) >= 0 || code.IndexOf("parse", StringComparison.OrdinalIgnoreCase) >= 0)
        {
            return ResponseInvalid(context, code);
        }

        return new PartnerAccessException(TokenRequestFailed, ErrorKind.InvalidOperation,
            $"MSAL could not request a token for tenant {context.TenantId} ({code}): {FirstLine(context.Credential.Scrub(exception.Message))}",
            context.TenantId, "Check -AuthorityHost, -Scope and the credential, then run the command again with -Verbose.")
        { OAuthError = code };
    }

    internal static PartnerAccessException Timeout(Context context, TimeSpan timeout) =>
        new(TokenRequestTimeout, ErrorKind.OperationTimeout,
            $"The identity platform ({context.AuthorityHost.Host}) did not answer the token request for tenant {context.TenantId} within {Seconds(timeout)} seconds.",
            context.TenantId, "Check the network path to the identity platform (proxy, firewall) and run the command again.");

    internal static PartnerAccessException Unreachable(Context context, HttpRequestException exception)
    {
        var reason = string.Join(": ", Chain(exception).Select(e => e.Message.TrimEnd('.')).Distinct());
        return new PartnerAccessException(AuthorityUnreachable, ErrorKind.ConnectionError,
            $"Could not reach the identity platform at {context.AuthorityHost.GetLeftPart(UriPartial.Authority)} for tenant {context.TenantId}: {context.Credential.Scrub(reason)}.",
            context.TenantId, "Check the network path (DNS, proxy, firewall, TLS inspection) to the authority host, and -Cloud / -AuthorityHost.");
    }

    internal static PartnerAccessException ResponseInvalid(Context context, string? detail) =>
        new(TokenResponseInvalid, ErrorKind.ProtocolError,
            $"The sign-in host {context.AuthorityHost.GetLeftPart(UriPartial.Authority)} ({(context.CustomAuthorityHost is null ? "of -Cloud " + context.Cloud : "-AuthorityHost")}) answered the token request for tenant {context.TenantId} with something that is not the identity platform's OAuth 2.0 response{(string.IsNullOrEmpty(detail) ? "" : " (" + detail + ")")}.",
            context.TenantId, "Check -AuthorityHost and any proxy or TLS-inspecting device between this machine and the identity platform; run the command again.")
        { OAuthError = detail };

    private static PartnerAccessException FromService(MsalServiceException e, Context context)
    {
        var body = ParseBody(e.ResponseBody);
        var aadsts = s_aadsts.Match(e.Message ?? "") is { Success: true } m ? int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) : body.FirstCode;
        var code = aadsts is { } n ? "AADSTS" + n.ToString(CultureInfo.InvariantCulture) : null;
        var oauthError = body.Error ?? e.ErrorCode;
        var status = e.StatusCode > 0 ? e.StatusCode : (int?)null;
        // "AADSTS700027: Client assertion ..." without the code, which the message gives once.
        var description = s_references.Replace(s_leadingCode.Replace(FirstLine(context.Credential.Scrub(body.Description ?? e.Message ?? "")), ""), "");
        var correlation = e.CorrelationId ?? body.CorrelationId;
        var reference = correlation is null ? "" : $" Correlation ID: {correlation}.";

        if (e.ErrorCode == MsalError.RequestTimeout)
        {
            return Timeout(context, context.Timeout);
        }

        var mapped = aadsts is { } number ? ByCode(number) : null;
        string message;
        string action;
        Uri? consentLink = null;
        var errorId = mapped?.ErrorId;
        var kind = mapped?.Kind ?? ErrorKind.AuthenticationError;
        TimeSpan? retryAfter = null;

        switch (errorId)
        {
            case ConsentMissing:
                consentLink = PartnerConsentLink.Create(context.ClientId, context.TenantId, context.Cloud, context.CustomAuthorityHost).Uri;
                message = $"The application {context.ClientId} is not consented in tenant {context.TenantId} ({code}): a Global Administrator of that tenant must approve it before it can get tokens there (or the application id is wrong). Consent link: {consentLink.AbsoluteUri}";
                action = $"Send the consent link to a Global Administrator of tenant {context.TenantId} and run the command again once they have approved the application: {consentLink.AbsoluteUri}";
                break;
            case ConditionalAccessBlocked:
                message = $"Tenant {context.TenantId}'s Conditional Access for workload identities blocks application {context.ClientId} ({code}): the customer's policy refused to issue it a token (for example from this location).";
                action = "Ask the customer's administrator to check the Conditional Access policies for workload identities (the sign-in logs of service principals show which one blocked it, with the correlation id) and to exclude or allow this application.";
                break;
            case SecretInvalid:
                message = $"The identity platform rejected the client secret of application {context.ClientId} ({code}: invalid client secret).";
                action = "Use the secret's Value (not its Secret ID) from the app registration's Certificates & secrets page; if the value is lost, create a new secret.";
                break;
            case SecretExpired:
                message = $"The client secret of application {context.ClientId} has expired ({code}).";
                action = "Create a new client secret on the app registration's Certificates & secrets page and update the credential this script uses (or use a certificate).";
                break;
            case TenantNotFound:
                message = $"The identity platform at {context.AuthorityHost.Host} does not know tenant '{context.TenantId}' ({code}).";
                action = "Check the customer's tenant id (a GUID or a verified domain). A GCC High or DoD tenant is only found with -Cloud USGovHigh or USGovDoD.";
                break;
            case CertificateInvalid:
                message = $"The identity platform rejected the certificate of application {context.ClientId} ({code}): {description}";
                action = "Upload the certificate's public key (.cer) to the app registration's Certificates & secrets page, check that it has not expired, and that this machine's clock is right.";
                break;
            case ResourceNotFound:
                message = $"Tenant {context.TenantId} has no service principal for the requested resource ({string.Join(" ", context.Scopes)}) ({code}).";
                action = "Check -Scope and -Cloud; the customer's tenant must have Microsoft 365 Defender, and the application must have been granted its API permissions.";
                break;
            case ScopeInvalid:
                message = $"The identity platform rejected the scope {string.Join(" ", context.Scopes)} ({code}): {description}";
                action = $"App-only tokens need the resource's /.default scope, such as {PartnerClouds.DefaultScope(context.Cloud)}.";
                break;
            default:
                if (status == 429 || e is MsalThrottledServiceException)
                {
                    errorId = Throttled;
                    kind = ErrorKind.LimitsExceeded;
                    retryAfter = e.Headers?.RetryAfter?.Delta;
                    message = $"The identity platform is throttling token requests for tenant {context.TenantId} (HTTP 429){(retryAfter is { } wait ? $"; it asked to wait {Seconds(wait)} seconds" : "")}.";
                    action = "Wait and run the command again; reuse tokens (they are cached in this process) instead of requesting new ones.";
                }
                else if (status is >= 500 and < 600)
                {
                    errorId = TokenRequestFailed;
                    kind = ErrorKind.ResourceUnavailable;
                    message = $"The identity platform at {context.AuthorityHost.Host} failed to answer the token request for tenant {context.TenantId} (HTTP {status}{(code is null ? "" : ", " + code)}).";
                    action = "The service had a transient failure; run the command again later.";
                }
                else if (status == 200 || e.ErrorCode == MsalError.NonParsableOAuthError || e.ErrorCode == "json_parse_failed")
                {
                    return ResponseInvalid(context, e.ErrorCode);
                }
                else if (code is null && body.Error is null)
                {
                    // No OAuth error at all (a 404, an empty or HTML page): the host is not the identity platform's token endpoint.
                    return ResponseInvalid(context, status is null ? e.ErrorCode : "HTTP " + status);
                }
                else
                {
                    errorId = TokenRequestFailed;
                    message = $"The identity platform refused the token request for tenant {context.TenantId} ({code ?? oauthError ?? "HTTP " + status}): {description}";
                    action = code is null
                        ? "Check the application id, the credential, -Scope and -Cloud."
                        : $"Look the code up at {new Uri(CloudTable.Public.SignInHost, "error?code=" + aadsts)}; check the application id, the credential, -Scope and -Cloud.";
                }

                break;
        }

        return new PartnerAccessException(errorId!, kind, message + reference, context.TenantId, action)
        {
            AadstsCode = code,
            OAuthError = oauthError,
            StatusCode = status,
            CorrelationId = correlation,
            TraceId = body.TraceId,
            ConsentLink = consentLink,
            RetryAfter = retryAfter,
        };
    }

    private static string FirstLine(string text)
    {
        var line = (text ?? "").Split(new[] { '\r', '\n' }, StringSplitOptions.RemoveEmptyEntries).FirstOrDefault()?.Trim() ?? "";
        return line.Length <= 400 ? line : line.Substring(0, 397) + "...";
    }

    private static string Seconds(TimeSpan span) => Math.Round(span.TotalSeconds, 1).ToString(CultureInfo.InvariantCulture);

    private static IEnumerable<Exception> Chain(Exception exception)
    {
        for (Exception? e = exception; e is not null; e = e.InnerException)
        {
            yield return e;
        }
    }

    private static ErrorBody ParseBody(string? body)
    {
        if (string.IsNullOrWhiteSpace(body) || body!.Length > 64 * 1024)
        {
            return default;
        }

        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return default;
            }

            int? firstCode = null;
            if (root.TryGetProperty("error_codes", out var codes) && codes.ValueKind == JsonValueKind.Array)
            {
                foreach (var item in codes.EnumerateArray())
                {
                    if (item.ValueKind == JsonValueKind.Number && item.TryGetInt32(out var value))
                    {
                        firstCode = value;
                        break;
                    }
                }
            }

            return new ErrorBody(String(root, "error"), String(root, "error_description"), firstCode, String(root, "trace_id"), String(root, "correlation_id"));
        }
        catch (JsonException)
        {
            return default;
        }

        static string? String(JsonElement root, string name) =>
            root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
    }

    private readonly struct ErrorBody
    {
        public ErrorBody(string? error, string? description, int? firstCode, string? traceId, string? correlationId)
        {
            Error = error;
            Description = description;
            FirstCode = firstCode;
            TraceId = traceId;
            CorrelationId = correlationId;
        }

        public string? Error { get; }

        public string? Description { get; }

        public int? FirstCode { get; }

        public string? TraceId { get; }

        public string? CorrelationId { get; }
    }

    /// <summary>What the request was, for messages and the consent link.</summary>
    internal sealed record Context(string TenantId, PartnerApplication Application, TimeSpan Timeout)
    {
        public string ClientId => Application.ClientId;

        public AzureCloud Cloud => Application.Cloud;

        public Uri AuthorityHost => Application.AuthorityHost;

        public Uri? CustomAuthorityHost => Application.CustomAuthorityHost;

        public IReadOnlyList<string> Scopes => Application.Scopes;

        public PartnerCredential Credential => Application.Credential;
    }
}
