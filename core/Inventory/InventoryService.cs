using Microsoft.Extensions.Options;
using Pki.Core.Access;
using Pki.Core.Audit;
using Pki.Core.Errors;

namespace Pki.Core.Inventory;

/// <summary>Reads the inventory for the API: one item with its locations, filtered pages, and setting an owner.</summary>
public sealed class InventoryService(IInventoryItemStore store, IInventoryLocationStore locationStore, IInventoryNameIndex nameIndex, IAuditTrail audit, IOptions<PkiOptions> options, TimeProvider time, CallerContext callers)
{
    public const int DefaultPageSize = 50;

    /// <summary>The expiry histogram's span: 13 weeks, the 90 days (and one) ahead.</summary>
    public const int HistogramWeeks = 13;

    /// <summary>The histogram's row for items that have no team.</summary>
    public const string NoTeam = "(none)";
    private const int MaxOwnerLength = 256;
    private const int MaxFilterLength = 512;
    private const int MaxWriteAttempts = 8;
    private readonly FindingRules _rules = new(options.Value.Inventory);

    public async Task<InventoryItemView> GetAsync(string fingerprint, CancellationToken cancellationToken = default)
    {
        var key = NormalizeFingerprint(fingerprint);
        var found = await store.GetAsync(key, cancellationToken).ConfigureAwait(false);
        if (found is not { } item || !callers.Current.CanRead(item.Item.Team))
        {
            throw ProblemException.NotFound("unknown-certificate", $"No certificate with SHA-256 fingerprint {key} is in the inventory.");
        }

        var locations = await locationStore.ListLocationsAsync(key, cancellationToken).ConfigureAwait(false);
        return View(item.Item, locations);
    }

    public async Task<InventoryListView> ListAsync(InventoryQuery query, int? pageSize, string? continuationToken, CancellationToken cancellationToken = default)
    {
        Validate(query);
        query = ScopeToCaller(query with { Team = Teams.Normalize(query.Team) });
        var size = pageSize ?? DefaultPageSize;
        var max = options.Value.Inventory.MaxPageSize;
        if (size < 1 || size > max)
        {
            throw ProblemException.BadRequest("invalid-page-size", $"pageSize must be between 1 and {max}.");
        }

        var now = time.GetUtcNow();
        if (query.Location is { } location)
        {
            // The location index names the few certificates seen there: point reads of those it presents now, then the other filters here.
            var items = new List<InventoryItem>();
            foreach (var (fingerprint, _) in (await locationStore.ListAtLocationAsync(location, cancellationToken).ConfigureAwait(false)).Where(f => f.Current))
            {
                if (await store.GetAsync(fingerprint, cancellationToken).ConfigureAwait(false) is { } found && Matches(found.Item, query, now))
                {
                    items.Add(found.Item);
                }
            }

            return new InventoryListView(items.Select(i => View(i, null)).ToArray(), null);
        }

        if (query.Name is { } name)
        {
            // Like a location: the name index lists the few certificates carrying the name; point reads, then the other filters.
            var items = new List<InventoryItem>();
            foreach (var fingerprint in (await nameIndex.ListByNameAsync(name.Trim().TrimEnd('.').ToLowerInvariant(), cancellationToken).ConfigureAwait(false)).Select(n => n.Fingerprint).Distinct(StringComparer.Ordinal))
            {
                if (await store.GetAsync(fingerprint, cancellationToken).ConfigureAwait(false) is { } found && Matches(found.Item, query, now))
                {
                    items.Add(found.Item);
                }
            }

            return new InventoryListView(items.OrderBy(i => i.NotAfter).Select(i => View(i, null)).ToArray(), null);
        }

        var page = await store.QueryAsync(query, now, _rules.ExpiringBefore(now), size, continuationToken, cancellationToken).ConfigureAwait(false);

        // The table narrows "expiring" to the widest threshold; a threshold longer than a certificate's lifetime does not apply to it.
        var listed = query.Finding == FindingCodes.Expiring ? page.Items.Where(i => Matches(i, query, now)) : page.Items;
        return new InventoryListView(listed.Select(i => View(i, null)).ToArray(), page.ContinuationToken);
    }

    /// <summary>
    /// The dashboard's tiles counted in one pass over what the caller may read, each by the very predicate its filter
    /// applies in <see cref="ListAsync"/>, so a tile's count is the number of items its link lists. A report: its cost
    /// grows with the (caller's part of the) inventory, like the ownership report's; it reads only the columns the filters
    /// and the histogram need, in the table service's largest pages (<see cref="IInventoryItemStore.ScanForCountingAsync"/>).
    /// </summary>
    public async Task<InventorySummary> SummarizeAsync(CancellationToken cancellationToken = default)
    {
        var scope = ScopeToCaller(new InventoryQuery());
        var now = time.GetUtcNow();
        var tiles = InventoryTiles.All;
        var queries = tiles.Select(t => t.Query with { Team = scope.Team }).ToArray();
        var counts = new int[tiles.Count];
        var weeks = new SortedDictionary<string, int[]>(StringComparer.Ordinal);
        await foreach (var item in store.ScanForCountingAsync(scope, now, _rules.ExpiringBefore(now), cancellationToken).ConfigureAwait(false))
        {
            var week = (int)Math.Floor((item.NotAfter - now).TotalDays / 7);
            if (week is >= 0 and < HistogramWeeks)
            {
                var team = Teams.Normalize(item.Team) ?? NoTeam;
                (weeks.TryGetValue(team, out var row) ? row : weeks[team] = new int[HistogramWeeks])[week]++;
            }

            for (var t = 0; t < tiles.Count; t++)
            {
                if (Matches(item, queries[t], now))
                {
                    counts[t]++;
                }
            }
        }

        return new InventorySummary(now, scope.Team, [.. tiles.Select((t, i) => new InventoryTileView(t.Id, t.Label, counts[i], t.Filter))],
            [.. weeks.Select(w => new TeamExpiryHistogram(w.Key, w.Value))]);
    }

    /// <summary>Sets owner and team by hand; from then on no rule changes them.</summary>
    public async Task<InventoryItemView> SetOwnerAsync(string fingerprint, OwnerInput input, CancellationToken cancellationToken = default)
    {
        var key = NormalizeFingerprint(fingerprint);
        var owner = input.Owner?.Trim();
        var team = Teams.Normalize(input.Team);
        if (string.IsNullOrEmpty(owner) || owner.Length > MaxOwnerLength || owner.Any(char.IsControl))
        {
            throw ProblemException.Unprocessable("invalid-owner", $"owner is required: the person responsible (DRI), up to {MaxOwnerLength} characters.");
        }

        if (team is { Length: > MaxOwnerLength } || team?.Any(char.IsControl) == true)
        {
            throw ProblemException.Unprocessable("invalid-team", $"team is up to {MaxOwnerLength} characters.");
        }

        for (var attempt = 0; ; attempt++)
        {
            var found = await store.GetAsync(key, cancellationToken).ConfigureAwait(false)
                ?? throw ProblemException.NotFound("unknown-certificate", $"No certificate with SHA-256 fingerprint {key} is in the inventory.");
            var item = found.Item with { Owner = owner, Team = team, OwnerSource = OwnerSource.Api };
            if (await store.TryReplaceAsync(item, found.Version, cancellationToken).ConfigureAwait(false))
            {
                // A failed append fails the call; setting the same owner again is harmless and appends the record.
                await audit.AppendAsync(
                    AuditEntry.Succeeded(AuditActions.OwnerSet) with { Fingerprint = key, SerialNumber = item.SerialNumber, Detail = $"owner={item.Owner} team={item.Team}" },
                    CancellationToken.None).ConfigureAwait(false);
                return View(item, await locationStore.ListLocationsAsync(key, cancellationToken).ConfigureAwait(false));
            }

            if (attempt >= MaxWriteAttempts)
            {
                throw ProblemException.Conflict("busy", $"The item {key} is changing under a sweep; try again.");
            }
        }
    }

    /// <summary>A source filter by its API name: issued, endpoint or keyvault.</summary>
    public static InventorySources ParseSource(string source) =>
        InventoryItemView.SourceNames.FirstOrDefault(s => string.Equals(s.Value, source, StringComparison.OrdinalIgnoreCase)) is { Value: not null } found
            ? found.Key
            : throw ProblemException.BadRequest("invalid-filter", $"source must be one of {string.Join(", ", InventoryItemView.SourceNames.Values)}.");

    /// <summary>A SHA-256 fingerprint as 64 hex digits, colons and case as the caller likes.</summary>
    public static string NormalizeFingerprint(string? fingerprint)
    {
        var hex = (fingerprint ?? string.Empty).Replace(":", string.Empty, StringComparison.Ordinal).Trim();
        if (hex.Length != 64 || !hex.All(char.IsAsciiHexDigit))
        {
            throw ProblemException.BadRequest("invalid-fingerprint", "A fingerprint is the SHA-256 of the certificate's DER: 64 hexadecimal digits (colons allowed).");
        }

        return hex.ToLowerInvariant();
    }

    /// <summary>A caller who does not read every team sees only its own team's items.</summary>
    private InventoryQuery ScopeToCaller(InventoryQuery query)
    {
        var caller = callers.Current;
        if (caller.Has(Permission.ReadAllTeams))
        {
            return query;
        }

        if (caller.Team is null || (query.Team is { } asked && !caller.CanRead(asked)))
        {
            throw ProblemException.Forbidden("not-your-team", $"Caller '{caller.Id}' may read only its own team's inventory (team: {caller.Team ?? "none"}).");
        }

        return query with { Team = caller.Team };
    }

    private InventoryItemView View(InventoryItem item, IReadOnlyList<InventoryLocation>? locations)
    {
        var timely = _rules.Timely(item.NotBefore, item.NotAfter, time.GetUtcNow());
        return InventoryItemView.From(item, timely is null ? item.Findings : item.Findings.Append(timely), locations);
    }

    private bool Matches(InventoryItem i, InventoryQuery q, DateTimeOffset now) =>
        (q.ExpiringWithinDays is not { } days || (i.NotAfter >= now && i.NotAfter <= now.AddDays(days)))
        && (q.RevokedWithinDays is not { } revokedDays || (i.RevokedAt is { } revokedAt && revokedAt >= now.AddDays(-revokedDays) && revokedAt <= now))
        && (q.ExpiresFrom is not { } from || i.NotAfter >= from)
        && (q.ExpiresTo is not { } to || i.NotAfter <= to)
        && (q.Issuer is null || i.Issuer == q.Issuer || i.IssuerCaId == q.Issuer)
        && (q.Owner is null || i.Owner == q.Owner)
        && (q.Team is null || i.Team == q.Team)
        && (q.Source is not { } source || i.Sources.HasFlag(source))
        && (q.Finding switch
        {
            null => true,
            FindingCodes.Expired => i.NotAfter < now,
            FindingCodes.Expiring => _rules.Timely(i.NotBefore, i.NotAfter, now)?.Code == FindingCodes.Expiring,
            InventoryTiles.OtherFindings => i.Findings.Any(f => InventoryTiles.OtherFindingCodes.Contains(f.Code, StringComparer.Ordinal)),
            var code => i.Findings.Any(f => f.Code == code),
        });

    private static void Validate(InventoryQuery q)
    {
        if (q.ExpiringWithinDays is < 0 or > 3650)
        {
            throw ProblemException.BadRequest("invalid-filter", "expiringWithinDays must be between 0 and 3650.");
        }

        if (q.Name is { } dnsName && !dnsName.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '*' or '_'))
        {
            throw ProblemException.BadRequest("invalid-filter", "name must be a DNS name (letters, digits, '-', '.', '*').");
        }

        if (q.RevokedWithinDays is < 0 or > 3650)
        {
            throw ProblemException.BadRequest("invalid-filter", "revokedWithinDays must be between 0 and 3650.");
        }

        if (q.Finding is { } finding && !FindingCodes.All.Contains(finding) && finding != InventoryTiles.OtherFindings)
        {
            throw ProblemException.BadRequest("invalid-filter", $"finding must be one of {string.Join(", ", FindingCodes.All)}, or {InventoryTiles.OtherFindings} (any stored finding without a tile of its own).");
        }

        foreach (var (name, value) in new[] { ("issuer", q.Issuer), ("owner", q.Owner), ("team", q.Team), ("location", q.Location), ("name", q.Name) })
        {
            if (value is not null && (string.IsNullOrWhiteSpace(value) || value.Length > MaxFilterLength))
            {
                throw ProblemException.BadRequest("invalid-filter", $"{name} must be 1 to {MaxFilterLength} characters.");
            }
        }
    }
}
