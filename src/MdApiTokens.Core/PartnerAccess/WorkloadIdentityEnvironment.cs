using System;
using System.Collections.Generic;

namespace MdApiTokens.Core.PartnerAccess;

/// <summary>What Azure workload identity sets in a pod (AZURE_CLIENT_ID, AZURE_TENANT_ID, AZURE_FEDERATED_TOKEN_FILE), with given values first.</summary>
/// <param name="ClientId">The application's id.</param>
/// <param name="TenantId">The tenant, or null when neither given nor set.</param>
/// <param name="TokenFile">The file the provider keeps the assertion in.</param>
public sealed record WorkloadIdentityEnvironment(string ClientId, string? TenantId, string TokenFile)
{
    /// <summary>
    /// <paramref name="clientId"/> and <paramref name="tenantId"/> where given, the variables otherwise; the token file
    /// always from AZURE_FEDERATED_TOKEN_FILE. <paramref name="variable"/> reads the environment (tests give their own).
    /// </summary>
    /// <exception cref="MdApiTokensException">A needed variable is not set.</exception>
    public static WorkloadIdentityEnvironment Resolve(string? clientId, string? tenantId, Func<string, string?>? variable = null)
    {
        variable ??= Environment.GetEnvironmentVariable;
        string? Read(string name) => variable(name) is { } value && value.Trim().Length > 0 ? value.Trim() : null;

        var missing = new List<string>();
        var file = Read("AZURE_FEDERATED_TOKEN_FILE");
        if (file is null)
        {
            missing.Add("AZURE_FEDERATED_TOKEN_FILE");
        }

        var client = string.IsNullOrWhiteSpace(clientId) ? Read("AZURE_CLIENT_ID") : clientId;
        if (client is null)
        {
            missing.Add("AZURE_CLIENT_ID (or -ClientId)");
        }

        if (missing.Count > 0)
        {
            throw PartnerIdentityErrors.WorkloadIdentityMissing(string.Join(" and ", missing));
        }

        return new WorkloadIdentityEnvironment(PartnerClouds.NormalizeClientId(client), string.IsNullOrWhiteSpace(tenantId) ? Read("AZURE_TENANT_ID") : tenantId, file!);
    }
}
