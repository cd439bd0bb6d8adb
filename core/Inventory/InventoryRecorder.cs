using System.Net;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Pki.Core.Authority;
using Pki.Core.Errors;
using Pki.Core.Revocation;

namespace Pki.Core.Inventory;

/// <summary>
/// Writes what was found (an endpoint's chain, a vault's certificate, an issuance, a revocation) into the
/// inventory. Every write is keyed by fingerprint and location, so recording the same sighting again
/// only moves last-seen times: a repeated sweep or a redelivered message creates nothing new.
/// </summary>
public sealed class InventoryRecorder(
    IInventoryItemStore store,
    IInventoryLocationStore locationStore,
    IInventoryNameIndex nameIndex,
    ICertificateStore certificates,
    TrustAnchors anchors,
    OwnerRules ownerRules,
    IOptions<PkiOptions> options,
    TimeProvider time,
    ILogger<InventoryRecorder> logger,
    IEnumerable<IInventoryObserver>? observers = null) : IIssuanceObserver, IRevocationObserver
{
    private readonly IInventoryObserver[] _observers = observers?.ToArray() ?? [];

    private const int MaxWriteAttempts = 8;

    /// <summary>An item's last-seen time moves in steps of this; each location keeps its own exact one.</summary>
    private static readonly TimeSpan LastSeenResolution = TimeSpan.FromMinutes(5);
    private readonly FindingRules _rules = new(options.Value.Inventory);

    /// <summary>Records the chain an endpoint presented; an empty chain has nothing to record.</summary>
    public async Task RecordEndpointAsync(EndpointSighting result, string sweepId, CancellationToken cancellationToken = default)
    {
        if (result.Chain.Count == 0)
        {
            return;
        }

        var location = result.Location;
        var chain = new List<CertificateFacts>();
        foreach (var der in result.Chain)
        {
            try
            {
                chain.Add(CertificateFacts.Read(der));
            }
            catch (ProblemException e)
            {
                // A peer may send anything; an unreadable certificate is skipped, and an unreadable leaf ends the record.
                logger.LogWarning("Endpoint {Location} presented an unreadable certificate at position {Position}: {Detail}", location, chain.Count, e.Detail);
                if (chain.Count == 0)
                {
                    return;
                }
            }
        }

        var now = time.GetUtcNow();
        var leaf = chain[0];
        var nameUsed = result.ServerName ?? (IPAddress.TryParse(result.Host, out _) ? null : result.Host);
        var leafFindings = new List<Finding>();
        var ours = (await anchors.OurAuthoritiesAsync(cancellationToken).ConfigureAwait(false)).Select(a => a.Facts).ToArray();
        if (ChainEvaluation.Evaluate(chain, await anchors.GetAsync(cancellationToken).ConfigureAwait(false), location, ours) is { } chainFinding)
        {
            leafFindings.Add(chainFinding);
        }

        if (FindingRules.Hostname(leaf, nameUsed, location) is { } hostname)
        {
            leafFindings.Add(hostname);
        }

        if (FindingRules.LegacyProtocols(result.LegacyProtocols, location) is { } legacy)
        {
            leafFindings.Add(legacy);
        }

        if (await anchors.IssuerOfAsync(leaf, cancellationToken).ConfigureAwait(false) is { } leafIssuer)
        {
            // Revoked and still served: a finding of this deployment, not only of the certificate.
            if (await RevocationAsync(leaf, leafIssuer, location, cancellationToken).ConfigureAwait(false) is { } revoked)
            {
                leafFindings.Add(revoked);
            }

            if (await NewerOfOursAsync(leaf, now, cancellationToken).ConfigureAwait(false) is { } newer)
            {
                // Named by what the API looks it up by: the serial (GET /api/certificates/{serial}) and the whole fingerprint (GET /api/inventory/{fingerprint}).
                leafFindings.Add(new Finding(FindingCodes.RenewedNotDeployed, FindingSeverity.Medium,
                    $"A newer certificate of ours for the same names (serial {newer.SerialNumber}, SHA-256 fingerprint {newer.Certificate.Fingerprint}, valid from {newer.Certificate.NotBefore:yyyy-MM-dd} to {newer.Certificate.NotAfter:yyyy-MM-dd}) exists but this endpoint still serves this one.",
                    location));
            }
        }

        var fingerprints = chain.Select(c => c.Fingerprint).ToArray();
        for (var position = 0; position < chain.Count; position++)
        {
            var sighting = new InventoryLocation(chain[position].Fingerprint, location, LocationKind.Endpoint, position, now, now, result.ServerName,
                result.Address, sweepId, fingerprints, position == 0 ? leafFindings : []);
            var previous = await locationStore.UpsertLocationAsync(sighting, cancellationToken).ConfigureAwait(false);
            await RefreshItemAsync(chain[position], InventorySources.Endpoint, now, owner: null, LocationFindingsChanged(previous, sighting), location, cancellationToken).ConfigureAwait(false);
        }

        // What the location presented before and no longer does keeps its history but loses its findings there.
        foreach (var (fingerprint, _) in (await locationStore.ListAtLocationAsync(location, cancellationToken).ConfigureAwait(false)).Where(f => f.Current && !fingerprints.Contains(f.Fingerprint)))
        {
            await locationStore.SupersedeLocationAsync(fingerprint, location, cancellationToken).ConfigureAwait(false);
            await RefreshLocationFindingsAsync(fingerprint, cancellationToken).ConfigureAwait(false);
            logger.LogInformation("Endpoint {Location} no longer presents certificate {Fingerprint}", location, fingerprint);
        }
    }

    /// <summary>Records one version of a vault certificate.</summary>
    public async Task RecordVaultAsync(VaultSighting certificate, string sweepId, CancellationToken cancellationToken = default)
    {
        CertificateFacts facts;
        try
        {
            facts = CertificateFacts.Read(certificate.Der);
        }
        catch (ProblemException e)
        {
            logger.LogWarning("Vault certificate {Location} is unreadable: {Detail}", certificate.Location, e.Detail);
            return;
        }

        var now = time.GetUtcNow();
        var findings = new List<Finding>();
        if (await anchors.IssuerOfAsync(facts, cancellationToken).ConfigureAwait(false) is { } issuer)
        {
            if (await RevocationAsync(facts, issuer, certificate.Location, cancellationToken).ConfigureAwait(false) is { } revoked)
            {
                findings.Add(revoked);
            }

            // Only the version the vault serves is deployed: once a newer one of ours is the current version, the older
            // version's sighting carries no finding, and the item's finding clears.
            if (certificate.Current && await NewerOfOursAsync(facts, now, cancellationToken).ConfigureAwait(false) is { } newer)
            {
                findings.Add(new Finding(FindingCodes.RenewedNotDeployed, FindingSeverity.Medium,
                    $"A newer certificate of ours for the same names (serial {newer.SerialNumber}, SHA-256 fingerprint {newer.Certificate.Fingerprint}, valid from {newer.Certificate.NotBefore:yyyy-MM-dd} to {newer.Certificate.NotAfter:yyyy-MM-dd}) exists but this vault certificate's current version is still this one.",
                    certificate.Location));
            }
        }

        var sighting = new InventoryLocation(facts.Fingerprint, certificate.Location, LocationKind.KeyVault, 0, now, now, null, certificate.VaultUri.ToString(), sweepId, [facts.Fingerprint], findings);
        var previous = await locationStore.UpsertLocationAsync(sighting, cancellationToken).ConfigureAwait(false);
        await RefreshItemAsync(facts, InventorySources.KeyVault, now, owner: null, LocationFindingsChanged(previous, sighting), certificate.Location, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The delivery of a certificate to a Key Vault certificate fails, or was given up: <paramref name="finding"/> is
    /// recorded at the delivery's own location (kind <see cref="LocationKind.Delivery"/>, <c>vault-host/certificates/name</c>),
    /// so every later recomputation of the item from its locations (a sweep, a revocation) keeps it until
    /// <see cref="ClearDeliveryAsync"/>. Recording the same failure again only updates its detail.
    /// </summary>
    public async Task RecordDeliveryFailureAsync(byte[] certificateDer, string location, Uri vaultUri, Finding finding, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(vaultUri);
        ArgumentNullException.ThrowIfNull(finding);
        var facts = CertificateFacts.Read(certificateDer);
        var now = time.GetUtcNow();
        var at = new InventoryLocation(facts.Fingerprint, location, LocationKind.Delivery, 0, now, now, null, vaultUri.ToString(), null,
            [facts.Fingerprint], [finding with { Location = location }]);
        var previous = await locationStore.UpsertLocationAsync(at, cancellationToken).ConfigureAwait(false);
        await RefreshItemAsync(facts, InventorySources.None, seen: null, owner: null, LocationFindingsChanged(previous, at), location: null, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A delivery to <paramref name="location"/> completed: every certificate still marked there loses its delivery finding.</summary>
    public async Task ClearDeliveryAsync(string location, CancellationToken cancellationToken = default)
    {
        foreach (var (fingerprint, _) in (await locationStore.ListAtLocationAsync(location, cancellationToken).ConfigureAwait(false)).Where(f => f.Current))
        {
            await locationStore.SupersedeLocationAsync(fingerprint, location, cancellationToken).ConfigureAwait(false);
            await RefreshLocationFindingsAsync(fingerprint, cancellationToken).ConfigureAwait(false);
            logger.LogInformation("Delivery to {Location} completed; its finding on certificate {Fingerprint} is cleared", location, fingerprint);
        }
    }

    /// <summary>
    /// A certificate we issued joins the inventory with the owner its request named. A new certificate has no
    /// locations and no revocation yet, so it is added in one write (plus its names); only a repeat reads.
    /// </summary>
    public async Task OnIssuedAsync(CertificateRecord certificate, CancellationToken cancellationToken = default)
    {
        if (certificate.CertificateDer is null)
        {
            return;
        }

        var facts = CertificateFacts.Read(certificate.CertificateDer);
        await IndexNamesAsync(facts, certificate.IssuerId, cancellationToken).ConfigureAwait(false);
        var item = InventoryItem.From(facts, time.GetUtcNow(), certificate.IssuerId) with
        {
            Sources = InventorySources.Issued,
            Owner = certificate.Owner,
            Team = certificate.Team ?? ownerRules.Match(facts)?.Team,
            OwnerSource = OwnerSource.Issuance,
            Findings = _rules.Intrinsic(facts).ToArray(),
        };
        if (!await TryAddAsync(item, location: null, cancellationToken).ConfigureAwait(false))
        {
            await RefreshItemAsync(facts, InventorySources.Issued, time.GetUtcNow(), certificate.Owner, locationsChanged: false, location: null, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Marks the item revoked, if the inventory holds it (it does for what we issued since the inventory exists).</summary>
    public async Task OnRevokedAsync(CertificateRecord certificate, CancellationToken cancellationToken = default)
    {
        if (certificate.CertificateDer is not { } der)
        {
            return;
        }

        var facts = CertificateFacts.Read(der);
        if (await store.GetAsync(facts.Fingerprint, cancellationToken).ConfigureAwait(false) is null)
        {
            return;
        }

        // Where it is deployed now, it is deployed revoked: each such location says so, as a sighting after today would.
        var deployed = false;
        foreach (var location in (await locationStore.ListLocationsAsync(facts.Fingerprint, cancellationToken).ConfigureAwait(false)).Where(l => l.Current && l.Position == 0 && l.Kind != LocationKind.Delivery))
        {
            var revoked = await RevocationAsync(facts, certificate.IssuerId, location.Location, cancellationToken).ConfigureAwait(false);
            if (revoked is not null && !location.Findings.Any(f => f.Code == FindingCodes.Revoked))
            {
                await locationStore.UpdateLocationFindingsAsync(facts.Fingerprint, location.Location, [.. location.Findings, revoked], cancellationToken).ConfigureAwait(false);
                deployed = true;
            }
        }

        await RefreshItemAsync(facts, InventorySources.None, seen: null, owner: null, locationsChanged: deployed, location: null, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>When our CA <paramref name="issuerCaId"/> revoked the certificate; null unless revoked.</summary>
    private async Task<DateTimeOffset?> RevokedAtAsync(CertificateFacts facts, string issuerCaId, CancellationToken cancellationToken)
    {
        var record = await certificates.GetAsync(facts.SerialNumber, cancellationToken).ConfigureAwait(false);
        return record is { Status: CertificateStatus.Revoked, IssuerId: var id } && id == issuerCaId ? record.RevokedAt : null;
    }

    /// <summary>The revoked finding of a certificate of our CA <paramref name="issuerCaId"/>, at <paramref name="location"/> (null: of the certificate itself); null unless revoked.</summary>
    private async Task<Finding?> RevocationAsync(CertificateFacts facts, string issuerCaId, string? location, CancellationToken cancellationToken)
    {
        var record = await certificates.GetAsync(facts.SerialNumber, cancellationToken).ConfigureAwait(false);

        // A serial is unique per CA only: another CA's record with this serial says nothing about this certificate.
        return record is { Status: CertificateStatus.Revoked, IssuerId: var id } && id == issuerCaId
            ? new Finding(FindingCodes.Revoked, FindingSeverity.Critical,
                $"Revoked by CA {issuerCaId} on {record.RevokedAt:yyyy-MM-dd HH:mm} UTC ({RevocationReasons.Name(record.RevocationReason!.Value)}).", location)
            : null;
    }

    /// <summary>
    /// Adds or updates the item: sources, last seen, whether one of our CAs issued it and revoked it, its
    /// findings (its own, and one per code from its current locations, read again only when
    /// <paramref name="locationsChanged"/>), and its owner (a rule fills it only where no request or API
    /// call set one). Optimistic: everything is read again on each attempt, so a writer that came first
    /// is never overwritten with what was read before it. A sighting that changes nothing but a recent
    /// last-seen time writes nothing, so a certificate shared by many endpoints is not a hot spot.
    /// </summary>
    private async Task RefreshItemAsync(CertificateFacts facts, InventorySources source, DateTimeOffset? seen, string? owner, bool locationsChanged, string? location, CancellationToken cancellationToken)
    {
        var issuerCaId = await anchors.IssuerOfAsync(facts, cancellationToken).ConfigureAwait(false);
        var rule = ownerRules.Match(facts);
        if (issuerCaId is not null)
        {
            await IndexNamesAsync(facts, issuerCaId, cancellationToken).ConfigureAwait(false);
        }

        for (var attempt = 0; attempt < MaxWriteAttempts; attempt++)
        {
            var existing = await store.GetAsync(facts.Fingerprint, cancellationToken).ConfigureAwait(false);
            var revokedAt = issuerCaId is null ? null : await RevokedAtAsync(facts, issuerCaId, cancellationToken).ConfigureAwait(false);
            var revocation = revokedAt is null ? null : await RevocationAsync(facts, issuerCaId!, location: null, cancellationToken).ConfigureAwait(false);
            var atLocations = existing is null || locationsChanged
                ? Summarize(await locationStore.ListLocationsAsync(facts.Fingerprint, cancellationToken).ConfigureAwait(false))
                : existing.Value.Item.Findings.Where(f => f.Location is not null).ToArray();

            // One revoked finding per item: the locations' summary where it is deployed (it names where), else the certificate's own.
            if (atLocations.Any(f => f.Code == FindingCodes.Revoked))
            {
                revocation = null;
            }

            var now = seen ?? time.GetUtcNow();
            var before = existing?.Item ?? InventoryItem.From(facts, now, issuerCaId);
            var item = before with
            {
                Sources = before.Sources | source,
                LastSeen = seen is { } s && s > before.LastSeen ? s : before.LastSeen,
                IssuerCaId = issuerCaId,
                Revoked = revocation is not null,
                RevokedAt = revokedAt,
                Findings = [.. _rules.Intrinsic(facts), .. revocation is null ? [] : new[] { revocation }, .. atLocations],
            };
            if (owner is not null && item.OwnerSource is OwnerSource.None or OwnerSource.Rule)
            {
                item = item with { Owner = owner, Team = rule?.Team ?? item.Team, OwnerSource = OwnerSource.Issuance };
            }
            else if (rule is not null && item.OwnerSource is OwnerSource.None or OwnerSource.Rule)
            {
                item = item with { Owner = rule.Owner, Team = rule.Team, OwnerSource = OwnerSource.Rule };
            }

            if (existing is { } found && SameExceptRecentLastSeen(found.Item, item))
            {
                return;
            }

            var written = existing is { } current
                ? await store.TryReplaceAsync(item, current.Version, cancellationToken).ConfigureAwait(false)
                : await TryAddAsync(item, location, cancellationToken).ConfigureAwait(false);
            if (written)
            {
                return;
            }
        }

        throw new InvalidOperationException($"Inventory item {facts.Fingerprint} kept changing under {MaxWriteAttempts} attempts to update it.");
    }

    /// <summary>
    /// The item's first write, between the observers' two calls: what they write before (the expiry-notice index) is
    /// never missing for an item that exists; what they do after (the "discovered" event) never happens for an item that
    /// was not written. A failure after the write is logged and never undoes it, as with issuance observers.
    /// </summary>
    private async Task<bool> TryAddAsync(InventoryItem item, string? location, CancellationToken cancellationToken)
    {
        foreach (var observer in _observers)
        {
            await observer.OnAddingAsync(item, cancellationToken).ConfigureAwait(false);
        }

        if (!await store.TryAddAsync(item, cancellationToken).ConfigureAwait(false))
        {
            return false;
        }

        foreach (var observer in _observers)
        {
            try
            {
                await observer.OnAddedAsync(item, location, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogError(e, "Inventory observer {Observer} failed after certificate {Fingerprint} was first recorded at {Location}", observer.GetType().Name, item.Fingerprint, location);
            }
        }

        return true;
    }

    /// <summary>Recomputes an item's location findings after one of its locations changed, keeping everything else.</summary>
    private async Task RefreshLocationFindingsAsync(string fingerprint, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < MaxWriteAttempts; attempt++)
        {
            if (await store.GetAsync(fingerprint, cancellationToken).ConfigureAwait(false) is not { } found)
            {
                return;
            }

            var atLocations = Summarize(await locationStore.ListLocationsAsync(fingerprint, cancellationToken).ConfigureAwait(false));
            var item = found.Item with { Findings = [.. found.Item.Findings.Where(f => f.Location is null), .. atLocations] };
            if (SameExceptRecentLastSeen(found.Item, item) || await store.TryReplaceAsync(item, found.Version, cancellationToken).ConfigureAwait(false))
            {
                return;
            }
        }

        throw new InvalidOperationException($"Inventory item {fingerprint} kept changing under {MaxWriteAttempts} attempts to update it.");
    }

    /// <summary>
    /// One finding per code over the locations that present the certificate now, however many they are:
    /// the most severe, with the first location's message and how many more there are. The locations keep
    /// the full detail; the item stays small enough for one table row.
    /// </summary>
    private static Finding[] Summarize(IReadOnlyList<InventoryLocation> locations) =>
        locations.Where(l => l.Current)
            .SelectMany(l => l.Findings)
            .GroupBy(f => f.Code)
            .Select(g =>
            {
                var first = g.OrderBy(f => f.Location, StringComparer.Ordinal).First();
                var more = g.Count() - 1;
                return new Finding(g.Key, g.Max(f => f.Severity), more == 0 ? first.Message : $"{first.Message} (and at {more} more location{(more == 1 ? string.Empty : "s")})", first.Location);
            })
            .OrderBy(f => f.Code, StringComparer.Ordinal)
            .ToArray();

    /// <summary>True when a sighting's findings at a location may differ from what the item summarises.</summary>
    private static bool LocationFindingsChanged(InventoryLocation? previous, InventoryLocation sighting) =>
        previous is null ? sighting.Findings.Count > 0 : !previous.Current || !previous.Findings.SequenceEqual(sighting.Findings);

    private static bool SameExceptRecentLastSeen(InventoryItem before, InventoryItem after) =>
        after.LastSeen - before.LastSeen < LastSeenResolution
        && before.Sources == after.Sources && before.IssuerCaId == after.IssuerCaId && before.Revoked == after.Revoked && before.RevokedAt == after.RevokedAt
        && before.Owner == after.Owner && before.Team == after.Team && before.OwnerSource == after.OwnerSource
        && before.Findings.SequenceEqual(after.Findings);

    /// <summary>Our leaf certificates by DNS name, so a sighting finds a newer one of ours for the same names in one partition.</summary>
    private async Task IndexNamesAsync(CertificateFacts facts, string issuerCaId, CancellationToken cancellationToken)
    {
        if (facts.IsCa)
        {
            return;
        }

        foreach (var name in facts.DnsNames.Distinct())
        {
            await nameIndex.UpsertNameAsync(new NamedCertificate(name, facts.Fingerprint, facts.DnsNames, facts.NotBefore, facts.NotAfter, issuerCaId), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>A newer, unexpired, unrevoked certificate of ours whose DNS names include all of this one's, with its serial.</summary>
    private async Task<(NamedCertificate Certificate, string SerialNumber)?> NewerOfOursAsync(CertificateFacts leaf, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (leaf.DnsNames.Count == 0)
        {
            return null;
        }

        var candidates = await nameIndex.ListByNameAsync(leaf.DnsNames[0], cancellationToken).ConfigureAwait(false);
        foreach (var candidate in candidates.Where(c => c.Fingerprint != leaf.Fingerprint && c.NotBefore > leaf.NotBefore && c.NotAfter > now)
                     .Where(c => leaf.DnsNames.All(n => c.DnsNames.Contains(n, StringComparer.OrdinalIgnoreCase)))
                     .OrderByDescending(c => c.NotBefore))
        {
            if (await store.GetAsync(candidate.Fingerprint, cancellationToken).ConfigureAwait(false) is { Item: { Revoked: false } item })
            {
                return (candidate, item.SerialNumber);
            }
        }

        return null;
    }
}
