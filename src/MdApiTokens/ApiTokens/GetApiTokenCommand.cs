using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using MdApiTokens.Core;
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

    protected override void ProcessRecordCore()
    {
        var service = CreateService();
        var query = new ApiTokenQuery { Status = IsBound(nameof(Status)) ? Status : null };
        if (ParameterSetName == ByIdSet)
        {
            query.Ids = Id;
        }
        else if (Name is { Length: > 0 })
        {
            query.NameFilter = TokenNameMatcher.Create(Name).IsMatch;
        }

        var tokens = service.List(query);
        WriteObject(tokens, enumerateCollection: true);
        ReportMissing(tokens, service);
    }

    // Like Get-Process: a name or id given without wildcards that matches nothing is an error; a pattern is not.
    private void ReportMissing(IReadOnlyList<ApiTokenInfo> found, ApiTokenService service)
    {
        if (IsBound(nameof(Status)))
        {
            return;
        }

        var missing = ParameterSetName == ByIdSet
            ? Id.Where(id => !found.Any(t => string.Equals(t.Id, id, StringComparison.OrdinalIgnoreCase)))
            : (Name ?? Array.Empty<string>()).Where(n => !WildcardPattern.ContainsWildcardCharacters(n)
                && !found.Any(t => string.Equals(t.Name, n, StringComparison.OrdinalIgnoreCase)));
        foreach (var item in missing)
        {
            WriteError(service.TokenNotFound(ParameterSetName == ByIdSet ? "id" : "name", item));
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
}
