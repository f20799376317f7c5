using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using MdApiTokens.Core.ApiTokens;

namespace MdApiTokens.Commands.ApiTokens;

/// <summary>Lists API tokens (never their values): every token for a global admin, else the caller's own.</summary>
[Cmdlet(VerbsCommon.Get, "ApiToken", DefaultParameterSetName = ByNameSet)]
[OutputType(typeof(ApiTokenInfo))]
public sealed class GetApiTokenCommand : ApiTokenStoreCmdlet
{
    private const string ByNameSet = "ByName";
    private const string ByIdSet = "ById";

    /// <summary>Token names; wildcards allowed.</summary>
    [Parameter(Position = 0, ParameterSetName = ByNameSet, ValueFromPipelineByPropertyName = true)]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(ApiTokenNameCompleter))]
    public string[]? Name { get; set; }

    /// <summary>Token ids.</summary>
    [Parameter(Mandatory = true, ParameterSetName = ByIdSet, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(ApiTokenIdCompleter))]
    public string[] Id { get; set; } = Array.Empty<string>();

    /// <summary>Only tokens with this status, computed now.</summary>
    [Parameter]
    public ApiTokenStatus Status { get; set; }

    /// <summary>List revoked tokens too, with status Revoked and who revoked them when.</summary>
    [Parameter]
    public SwitchParameter IncludeRevoked { get; set; }

    protected override void ProcessRecordCore()
    {
        var service = CreateService();
        var status = IsBound(nameof(Status)) ? Status : (ApiTokenStatus?)null;
        if (ParameterSetName != ByIdSet && Name is not { Length: > 0 })
        {
            WriteObject(service.List(new ApiTokenQuery { Status = status, IncludeRevoked = IncludeRevoked }), enumerateCollection: true);
            return;
        }

        var selection = ParameterSetName == ByIdSet
            ? service.Select(ApiTokenKey.Id, Id, TokenNameMatcher.Compile, status, IncludeRevoked)
            : service.Select(ApiTokenKey.Name, Name!, TokenNameMatcher.Compile, status, IncludeRevoked);
        WriteObject(selection.Tokens, enumerateCollection: true);
        foreach (var notFound in selection.NotFound)
        {
            WriteError(notFound);
        }
    }
}

/// <summary>Matches token names against PowerShell wildcard patterns, case-insensitively.</summary>
internal sealed class TokenNameMatcher
{
    private readonly WildcardPattern[] _patterns;

    private TokenNameMatcher(WildcardPattern[] patterns) => _patterns = patterns;

    public static TokenNameMatcher Create(IEnumerable<string> patterns) =>
        new(patterns.Select(p => WildcardPattern.Get(p, WildcardOptions.IgnoreCase | WildcardOptions.CultureInvariant)).ToArray());

    public bool IsMatch(string name) => _patterns.Any(p => p.IsMatch(name));

    /// <summary>A matcher for one pattern, as Core's token selection takes it.</summary>
    public static Func<string, bool> Compile(string pattern) => Create(new[] { pattern }).IsMatch;
}
