namespace MdApiTokens.Core.Shared;

/// <summary>The Microsoft cloud an application signs in to; it decides the authority and the API hosts (see <see cref="CloudTable"/>).</summary>
public enum AzureCloud
{
    /// <summary>Microsoft Entra ID worldwide.</summary>
    Public,

    /// <summary>US Government Community Cloud (GCC): the worldwide sign-in host, GCC API hosts.</summary>
    USGov,

    /// <summary>US Government GCC High: the US government sign-in host and API hosts.</summary>
    USGovHigh,

    /// <summary>US Department of Defense: the US government sign-in host, GCC High's Defender hosts, its own Graph host.</summary>
    USGovDoD,
}
