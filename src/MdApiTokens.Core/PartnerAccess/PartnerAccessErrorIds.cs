namespace MdApiTokens.Core.PartnerAccess;

/// <summary>The stable error ids of partner access (Get-PartnerAccessToken, Get-PartnerConsentLink); scripts and tests match on them.</summary>
public static class PartnerAccessErrorIds
{
    // What the identity platform refused, by AADSTS code.
    public const string ConsentMissing = "PartnerConsentMissing";
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
}
