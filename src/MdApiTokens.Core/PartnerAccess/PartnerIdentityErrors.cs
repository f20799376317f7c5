using System;
using System.Globalization;
using System.Linq;
using System.Net.Http;
using System.Text.RegularExpressions;
using MdApiTokens.Core.Shared;
using Microsoft.Identity.Client;

namespace MdApiTokens.Core.PartnerAccess;

/// <summary>
/// The error ids and exception factories of secretless sign-in (managed identities, federated client assertions and
/// workload identity): what the managed identity endpoint or the identity platform said, turned into advice.
/// </summary>
public static class PartnerIdentityErrors
{
    /// <summary>No managed identity endpoint answers here (not on an Azure resource with a managed identity).</summary>
    public const string IdentityUnavailable = "PartnerManagedIdentityUnavailable";

    /// <summary>The managed identity endpoint refused or failed the request (an unknown user-assigned identity, a bad resource ...).</summary>
    public const string IdentityRequestFailed = "PartnerManagedIdentityRequestFailed";

    /// <summary>No federated credential of the application matches the assertion's issuer, subject or audience.</summary>
    public const string FederatedCredentialMismatch = "PartnerFederatedCredentialMismatch";

    /// <summary>The client assertion is empty, not a signed JWT, of the wrong type, or its signature was refused.</summary>
    public const string ClientAssertionInvalid = "PartnerClientAssertionInvalid";

    /// <summary>The client assertion has expired (or is not valid yet).</summary>
    public const string ClientAssertionExpired = "PartnerClientAssertionExpired";

    /// <summary>The federated token file does not exist.</summary>
    public const string TokenFileNotFound = "PartnerFederatedTokenFileNotFound";

    /// <summary>The federated token file is empty, unreadable, or does not hold a JWT.</summary>
    public const string TokenFileInvalid = "PartnerFederatedTokenFileInvalid";

    /// <summary>-WorkloadIdentity without the AZURE_* variables that workload identity sets.</summary>
    public const string WorkloadIdentityNotConfigured = "PartnerWorkloadIdentityNotConfigured";

    private static readonly Regex s_aadsts = new(@"AADSTS(\d{4,9})", RegexOptions.CultureInvariant);

    private const string RunbookAdvice = "Run it where a managed identity is enabled (an Azure Automation account, Function, App Service or virtual machine); elsewhere use -CertificateThumbprint or -ClientSecret.";

    /// <summary>For a request signed with a client assertion: the federation failures of the token endpoint; null for anything else.</summary>
    internal static PartnerAccessException? FromTokenEndpoint(MsalException exception, PartnerAccessErrors.Context context)
    {
        if (context.Credential is not AssertionCredential assertion || exception is not MsalServiceException service)
        {
            return null;
        }

        var match = s_aadsts.Match(service.Message + " " + service.ResponseBody);
        if (!match.Success)
        {
            return null;
        }

        var code = int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
        var aadsts = "AADSTS" + code.ToString(CultureInfo.InvariantCulture);
        var presented = assertion.PresentedClaims is { } claims ? $" The assertion presented has {claims}." : "";
        var reference = service.CorrelationId is { Length: > 0 } id ? $" Correlation ID: {id}." : "";
        var (errorId, kind, message, action) = code switch
        {
            70021 or 700211 or 700212 or 700213 => (FederatedCredentialMismatch, ErrorKind.AuthenticationError,
                $"Application {context.ClientId} has no federated credential matching the {Part(code)} of the assertion ({aadsts}).{presented}",
                $"On the app registration's Certificates & secrets > Federated credentials page, add (or correct) a credential whose issuer, subject and audience are exactly those of the assertion ({assertion.Description})."),
            700024 => (ClientAssertionExpired, ErrorKind.AuthenticationError,
                $"The identity platform refused the client assertion for application {context.ClientId}: it is not within its valid time range ({aadsts}).{presented}",
                "Get a fresh assertion (workload identity tokens live minutes): re-read the token file, or request a new token from the identity provider; check this machine's clock."),
            700027 or 50027 => (ClientAssertionInvalid, ErrorKind.AuthenticationError,
                $"The identity platform could not verify the client assertion for application {context.ClientId} ({aadsts}).{presented}",
                "Pass the signed token exactly as the identity provider issued it, and check that the federated credential's issuer publishes the key that signed it."),
            _ => ((string?)null, ErrorKind.NotSpecified, "", ""),
        };

        return errorId is null ? null : new PartnerAccessException(errorId, kind, message + reference, context.TenantId, action)
        {
            AadstsCode = aadsts,
            OAuthError = service.ErrorCode,
            StatusCode = service.StatusCode > 0 ? service.StatusCode : null,
            CorrelationId = service.CorrelationId,
        };
    }

    /// <summary>What the managed identity endpoint (or its absence) made MSAL throw.</summary>
    internal static MdApiTokensException FromManagedIdentity(Exception exception, PartnerManagedIdentity identity, string resource)
    {
        var status = (exception as MsalServiceException)?.StatusCode ?? 0;
        var code = (exception as MsalException)?.ErrorCode ?? "";
        var unreachable = exception is HttpRequestException || exception.InnerException is HttpRequestException
            || code == MsalError.ManagedIdentityUnreachableNetwork || code == MsalError.ManagedIdentityAllSourcesUnavailable
            || code == MsalError.InvalidManagedIdentityEndpoint;
        if (unreachable)
        {
            var endpoint = Environment.GetEnvironmentVariable("IDENTITY_ENDPOINT");
            var where = string.IsNullOrEmpty(endpoint)
                ? "IDENTITY_ENDPOINT is not set, so the virtual machine metadata endpoint (IMDS) was tried, and it did not answer"
                : $"IDENTITY_ENDPOINT ({ScrubHeader(endpoint!)}) did not answer";
            return new MdApiTokensException(IdentityUnavailable, ErrorKind.ConnectionError,
                $"No managed identity is available here: {where}.", identity.Description,
                "A managed identity exists only on Azure resources. " + RunbookAdvice);
        }

        var detail = FirstLine(ScrubHeader(exception.Message));
        return new MdApiTokensException(IdentityRequestFailed, status >= 500 ? ErrorKind.ResourceUnavailable : ErrorKind.AuthenticationError,
            $"The managed identity endpoint refused a token for {resource} to the {identity.Description}{(status > 0 ? $" (HTTP {status})" : "")}: {detail}", identity.Description,
            identity.ClientId is null
                ? "Enable the system-assigned identity on the resource (Identity page, Status On); for a user-assigned one use -IdentityClientId."
                : $"Assign the user-assigned identity {identity.ClientId} to this resource (Identity page, User assigned), or check the client id.");
    }

    internal static MdApiTokensException IdentityTimeout(PartnerManagedIdentity identity, TimeSpan timeout) =>
        new(PartnerAccessErrors.TokenRequestTimeout, ErrorKind.OperationTimeout,
            $"The managed identity endpoint did not answer for the {identity.Description} within {Math.Round(timeout.TotalSeconds, 1).ToString(CultureInfo.InvariantCulture)} seconds.",
            identity.Description, RunbookAdvice);

    internal static MdApiTokensException AssertionInvalid(string problem, ErrorScope scope = ErrorScope.Invocation) =>
        new(ClientAssertionInvalid, ErrorKind.InvalidArgument, $"The client assertion cannot be used: {problem}.", null,
            "Give the signed token (a JWT) the workload identity provider issued, as a string or a SecureString, or use -FederatedTokenFile.", scope: scope);

    internal static MdApiTokensException TokenFileMissing(string path, ErrorScope scope) =>
        new(TokenFileNotFound, ErrorKind.ObjectNotFound, $"The federated token file '{path}' does not exist.", path,
            "Give the file the workload identity provider writes (AZURE_FEDERATED_TOKEN_FILE on Kubernetes); check that the volume is mounted.", scope: scope);

    internal static MdApiTokensException TokenFileUnusable(string path, string problem, ErrorKind kind, ErrorScope scope) =>
        new(TokenFileInvalid, kind, $"The federated token file '{path}' cannot be used: {problem}.", path,
            "Check that the file holds the signed token (a JWT) the provider issued and that your account can read it.", scope: scope);

    internal static MdApiTokensException WorkloadIdentityMissing(string variables) =>
        new(WorkloadIdentityNotConfigured, ErrorKind.InvalidOperation, $"-WorkloadIdentity needs {variables}, which are not set here.", variables,
            "Run it in a pod with Azure workload identity (the azure.workload.identity/use label), or give -ClientId, -TenantId and -FederatedTokenFile.");

    private static string Part(int code) => code switch
    {
        700211 => "issuer",
        700212 => "audience",
        700213 => "subject",
        _ => "issuer and subject",
    };

    private static string ScrubHeader(string text)
    {
        var header = Environment.GetEnvironmentVariable("IDENTITY_HEADER");
        return string.IsNullOrEmpty(header) ? text : text.Replace(header, "***");
    }

    private static string FirstLine(string text)
    {
        var line = text.Split(new[] { '\r', '\n' }, StringSplitOptions.RemoveEmptyEntries).FirstOrDefault()?.Trim() ?? "";
        return line.Length <= 400 ? line : line.Substring(0, 397) + "...";
    }
}
