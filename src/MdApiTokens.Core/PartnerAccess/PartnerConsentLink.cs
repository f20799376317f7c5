using System;
using MdApiTokens.Core.Shared;

namespace MdApiTokens.Core.PartnerAccess;

/// <summary>
/// The link a customer's Global Administrator opens to consent to the partner application in their tenant, in the form
/// the partner-access documentation gives: {authority}/{tenant|common}/oauth2/authorize?prompt=consent&amp;client_id=...
/// &amp;response_type=code&amp;sso_reload=true. <see cref="ToString"/> is the link itself.
/// </summary>
public sealed class PartnerConsentLink
{
    /// <summary>The tenant segment used when no tenant is given: the administrator signs in to their own tenant.</summary>
    public const string AnyTenant = "common";

    private PartnerConsentLink(string clientId, string tenantId, AzureCloud cloud, Uri uri)
    {
        ClientId = clientId;
        TenantId = tenantId;
        Cloud = cloud;
        Uri = uri;
    }

    public string ClientId { get; }

    /// <summary>The customer tenant, or "common".</summary>
    public string TenantId { get; }

    public AzureCloud Cloud { get; }

    public Uri Uri { get; }

    /// <summary>Builds the link for <paramref name="clientId"/>; <paramref name="authorityHost"/> overrides the cloud's sign-in host.</summary>
    public static PartnerConsentLink Create(string clientId, string? tenantId = null, AzureCloud cloud = AzureCloud.Public, Uri? authorityHost = null)
    {
        var client = PartnerClouds.NormalizeClientId(clientId);
        var tenant = string.IsNullOrWhiteSpace(tenantId) ? AnyTenant : PartnerClouds.NormalizeTenantId(tenantId);
        var host = authorityHost is null ? PartnerClouds.AuthorityHost(cloud) : PartnerClouds.ValidateAuthorityHost(authorityHost);
        var uri = new Uri(host, $"{Uri.EscapeDataString(tenant)}/oauth2/authorize?prompt=consent&client_id={client}&response_type=code&sso_reload=true");
        return new PartnerConsentLink(client, tenant, cloud, uri);
    }

    public override string ToString() => Uri.AbsoluteUri;
}
