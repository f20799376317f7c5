using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

namespace MdApiTokens.Core.Defender;

/// <summary>
/// Walks a listing one page per call, so the caller can hand each page on before the next is requested. Follows
/// <c>@odata.nextLink</c> when a response has one (only to the same host; once it has, a page without one ends the
/// listing), otherwise asks for the next
/// <c>$skip</c> while full pages come back. Applies the client-side criteria (severity), drops an incident a shifting
/// listing returns twice, and stops after <see cref="DefenderIncidentQuery.First"/> incidents.
/// </summary>
public sealed class DefenderIncidentPager
{
    private readonly DefenderIncidentClient _client;
    private readonly DefenderIncidentQuery _query;
    private readonly string? _filter;
    // A $skip listing shows an incident again when new ones push it onto the next page. Incidents move by a few pages
    // at most between two requests, so the ids of the last SeenWindowPages pages are enough: memory stays flat
    // however long the listing is.
    private const int SeenWindowPages = 10;
    private readonly HashSet<long> _seen = new();
    private readonly Queue<List<long>> _seenByPage = new();
    private Uri? _next;
    private bool _followingLinks;
    private int _nextTop;
    private int _skip;
    private long[]? _previousPageIds;
    private DefenderApiException? _deferred;

    internal DefenderIncidentPager(DefenderIncidentClient client, DefenderIncidentQuery query)
    {
        _client = client;
        _query = query;
        _filter = query.BuildFilter();
        _nextTop = TopFor(0);
        _next = client.ListUri(_filter, _nextTop, 0);
    }

    /// <summary>The <c>$filter</c> sent, or null.</summary>
    public string? Filter => _filter;

    /// <summary>Pages requested so far.</summary>
    public int PagesRequested { get; private set; }

    /// <summary>Incidents returned so far (after the client-side criteria).</summary>
    public int Returned { get; private set; }

    /// <summary>
    /// The next page's incidents that pass the client-side criteria (possibly none), or null when the listing is
    /// complete. Requests exactly one page (with its retries) per call.
    /// </summary>
    public async Task<IReadOnlyList<DefenderIncident>?> NextPageAsync(CancellationToken cancellationToken)
    {
        if (_deferred is { } error)
        {
            _deferred = null;
            throw error;
        }

        if (_next is not { } uri)
        {
            return null;
        }

        var requestedTop = _nextTop;
        var page = await _client.GetPageAsync(uri, cancellationToken).ConfigureAwait(false);
        PagesRequested++;
        var incidents = page.Value!;

        var ids = incidents.Select(i => i.IncidentId).ToArray();
        if (ids.Length > 0 && _previousPageIds is not null && ids.SequenceEqual(_previousPageIds))
        {
            _next = null;
            throw DefenderErrors.SamePageAgain(uri, _client.Transport.Target);
        }

        _previousPageIds = ids;

        var result = new List<DefenderIncident>(incidents.Length);
        var added = new List<long>(incidents.Length);
        foreach (var incident in incidents)
        {
            if (_query.First is { } first && Returned >= first)
            {
                break;
            }

            if (!_seen.Add(incident.IncidentId))
            {
                continue;
            }

            added.Add(incident.IncidentId);
            if (_query.MatchesOnClient(incident))
            {
                result.Add(incident);
                Returned++;
            }
        }

        _seenByPage.Enqueue(added);
        if (_seenByPage.Count > SeenWindowPages)
        {
            _seen.ExceptWith(_seenByPage.Dequeue());
        }

        _next = _query.First is { } limit && Returned >= limit ? null : NextUri(page, requestedTop, incidents.Length);

        _client.Log(_next is null
            ? $"Page {PagesRequested}: {incidents.Length} incident(s); the listing is complete."
            : $"Page {PagesRequested}: {incidents.Length} incident(s); more follow.");
        return result;
    }

    private Uri? NextUri(IncidentPage page, int requestedTop, int count)
    {
        if (!string.IsNullOrEmpty(page.NextLink))
        {
            if (!Uri.TryCreate(_client.ApiBase, page.NextLink, out var link) || !DefenderApiEndpoint.IsSameOrigin(_client.ApiBase, link))
            {
                // This page is fine and is returned; the listing fails when the caller asks for the next one.
                _deferred = DefenderErrors.NextLinkAway(_client.ApiBase, _client.Transport.Target);
                return null;
            }

            _nextTop = requestedTop;
            _followingLinks = true;
            return link;
        }

        // A listing that pages by links says when it is done: a page without one is the last, full or not.
        if (_followingLinks)
        {
            return null;
        }

        // No nextLink: a full page means there may be more; ask for the next one by $skip.
        if (count > 0 && count >= requestedTop)
        {
            _skip += count;
            _nextTop = TopFor(Returned);
            return _client.ListUri(_filter, _nextTop, _skip);
        }

        return null;
    }

    // Without client-side criteria there is no point asking for more than -First still needs.
    private int TopFor(int returned) =>
        _query.First is { } first && _query.Severity is not { Count: > 0 }
            ? Math.Max(1, Math.Min(_query.PageSize, first - returned))
            : _query.PageSize;
}
