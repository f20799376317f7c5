namespace MdApiTokens.Core.Defender;

/// <summary>
/// What a request to the Defender API is for, in the words its failures use: "list incidents", the role it needs,
/// what to check when the API calls the request bad, and the incident a 404 is about.
/// </summary>
internal sealed record DefenderOperation(string Description, string RequiredRole, string BadRequestAdvice, long? IncidentId = null)
{
    private const string ReadRole = "Incident.Read.All (or Incident.ReadWrite.All)";

    public static DefenderOperation ListIncidents { get; } = new("list incidents", ReadRole,
        "The API filters only on lastUpdateTime, createdTime, status and assignedTo; filter severity with -Severity. Check -Filter's OData syntax, or use the typed parameters.");

    public static DefenderOperation GetIncident(long incidentId) => new($"read incident {incidentId}", ReadRole,
        "Check the incident id; list incidents with Get-DefenderIncident.", incidentId);

    public static DefenderOperation UpdateIncident(long incidentId) => new($"update incident {incidentId}", "Incident.ReadWrite.All",
        "Check the values given to Set-DefenderIncident: -Status, -Classification and -Determination must be values the API knows and fit together, -AssignedTo a user name, -Tag and -Comment text the API accepts (see the API's message).",
        incidentId);

    /// <summary>What the failure is about: the incident, else the tenant, else the API host.</summary>
    public object Target(DefenderCallContext call) => IncidentId is { } id ? id : call.TenantId ?? call.ApiBase.Host;
}
