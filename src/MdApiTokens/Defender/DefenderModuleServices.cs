using System;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using MdApiTokens.Core.Defender;

namespace MdApiTokens.Commands.Defender;

/// <summary>
/// What the Defender cmdlets take from their surroundings, replaceable per runspace through
/// <see cref="ModuleServices.SetOverride"/> so tests record waits instead of sleeping. Internal: not module surface.
/// </summary>
internal static class DefenderModuleServices
{
    /// <summary>Key of a <c>Func&lt;TimeSpan, CancellationToken, Task&gt;</c> that waits (pacing, Retry-After, back-off).</summary>
    public const string DelayKey = "DefenderDelay";

    /// <summary>Key of an <see cref="HttpMessageHandler"/> that sends the requests.</summary>
    public const string HttpHandlerKey = "DefenderHttpHandler";

    /// <summary>Key of a <see cref="DefenderRequestPacer"/> used instead of the process-wide one.</summary>
    public const string PacerKey = "DefenderPacer";

    /// <summary>Key of a <see cref="DefenderRetryPolicy"/> (attempts, back-off, jitter source).</summary>
    public const string RetryPolicyKey = "DefenderRetryPolicy";

    /// <summary>Key of a boxed <see cref="TimeSpan"/>: how long one request may take.</summary>
    public const string RequestTimeoutKey = "DefenderRequestTimeout";

    // One handler for the process, so connections are pooled across commands and runspaces. Redirects are not
    // followed: a token is never replayed to wherever a redirect points.
    private static readonly Lazy<HttpMessageHandler> s_sharedHandler = new(() => new HttpClientHandler { AllowAutoRedirect = false });

    /// <summary>The options for a client in the current runspace; <paramref name="log"/> receives verbose messages, <paramref name="waiting"/> each wait.</summary>
    public static DefenderClientOptions CreateOptions(Action<string> log, Action<DefenderWait> waiting) => new()
    {
        Clock = ModuleServices.Clock,
        Delay = ModuleServices.Get<Func<TimeSpan, CancellationToken, Task>>(DelayKey) ?? ((wait, token) => Task.Delay(wait, token)),
        Pacer = ModuleServices.Get<DefenderRequestPacer>(PacerKey) ?? (PacingOff ? DefenderRequestPacer.Off : DefenderRequestPacer.Shared),
        Retry = ModuleServices.Get<DefenderRetryPolicy>(RetryPolicyKey) ?? new DefenderRetryPolicy(),
        RequestTimeout = ModuleServices.Get<object>(RequestTimeoutKey) is TimeSpan timeout ? timeout : TimeSpan.FromSeconds(100),
        Log = log,
        Waiting = waiting,
    };

    /// <summary>The environment variable that turns pacing off (value Off) for tests and benchmarks against a fake of the API.</summary>
    public const string PacingVariable = "MDAPITOKENS_DEFENDER_PACING";

    /// <summary>True when <see cref="PacingVariable"/> is Off: the quota is then the API's to enforce (with 429s).</summary>
    public static bool PacingOff => string.Equals(Environment.GetEnvironmentVariable(PacingVariable)?.Trim(), "Off", StringComparison.OrdinalIgnoreCase);

    public static HttpMessageHandler Handler => ModuleServices.Get<HttpMessageHandler>(HttpHandlerKey) ?? s_sharedHandler.Value;
}
