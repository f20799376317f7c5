namespace MdApiTokens.Core.Defender;

/// <summary>An incident's status, as the incidents API names it (list filter and update).</summary>
public enum DefenderIncidentStatus
{
    Active,
    InProgress,
    Resolved,
    Redirected,
}

/// <summary>An incident's severity, as the incidents API names it. The API cannot filter on it; listings filter on the client.</summary>
public enum DefenderIncidentSeverity
{
    UnSpecified,
    Informational,
    Low,
    Medium,
    High,
}

/// <summary>What an incident turned out to be, as the update incident API accepts it.</summary>
public enum DefenderIncidentClassification
{
    TruePositive,
    InformationalExpectedActivity,
    FalsePositive,
}

/// <summary>
/// Why an incident got its classification, as the update incident API accepts it. Each value fits some
/// classifications only (see <see cref="DefenderIncidentUpdate.Validate"/>); Other fits all.
/// </summary>
public enum DefenderIncidentDetermination
{
    // True positive.
    MultiStagedAttack,
    MaliciousUserActivity,
    CompromisedAccount,
    Malware,
    Phishing,
    UnwantedSoftware,

    // Informational, expected activity.
    SecurityTesting,
    LineOfBusinessApplication,
    ConfirmedActivity,

    // False positive.
    Clean,
    NoEnoughDataToValidate,

    // Any classification.
    Other,
}
