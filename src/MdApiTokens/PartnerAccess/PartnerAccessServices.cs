using System;
using MdApiTokens.Core.PartnerAccess;

namespace MdApiTokens.Commands.PartnerAccess;

/// <summary>The per-runspace overrides of partner access (see <see cref="ModuleServices"/>): tests shorten the request timeout.</summary>
internal static class PartnerAccessServices
{
    /// <summary>Key of a <see cref="TimeSpan"/>: how long one token request may take.</summary>
    public const string TokenTimeoutKey = "PartnerTokenTimeout";

    public static TimeSpan TokenTimeout => ModuleServices.Get<object>(TokenTimeoutKey) is TimeSpan timeout ? timeout : PartnerTokenRequest.DefaultTimeout;
}
