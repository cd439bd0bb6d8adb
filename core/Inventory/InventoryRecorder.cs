using System.Net;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Pki.Core.Authority;
using Pki.Core.Discovery.KeyVault;
using Pki.Core.Discovery.Scanning;
using Pki.Core.Errors;
using Pki.Core.Revocation;

namespace Pki.Core.Inventory;

/// <summary>
/// Writes what was found (an endpoint's chain, a vault's certificate, an issuance, a revocation) into the
/// inventory. Every write is keyed by fingerprint and location, so recording the same sighting again
/// only moves last-seen times: a repeated sweep or a redelivered message creates nothing new.
/// </summary>
public sealed class InventoryRecorder(
    IInventoryStore store,
    ICertificateStore certificates,
    TrustAnchors anchors,
    OwnerRules ownerRules,
    IOptions<PkiOptions> options,
    TimeProvider time,
    ILogger<InventoryRecorder> logger) : IIssuanceObserver, IRevocationObserver
{
    private const int MaxWriteAttempts = 8;
    private readonly FindingRules _rules = new(options.Value.Inventory);

    /// <summary>Records the chain an endpoint presented; other outcomes have nothing to record.</summary>
    public async Task RecordEndpointAsync(EndpointScanResult result, string sweepId, CancellationToken cancellationToken = default)
    {
        if (result.Outcome != ScanOutcome.Tls || result.Chain.Count == 0)
        {
            return;
        }

        var location = result.Endpoint.Location;
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
        var nameUsed = result.Endpoint.ServerName ?? (IPAddress.TryParse(result.Endpoint.Host, out _) ? null : result.Endpoint.Host);
        var leafFindings = new List<Finding>();
        if (ChainEvaluation.Evaluate(chain, await anchors.GetAsync(cancellationToken).ConfigureAwait(false), location) is { } chainFinding)
        {
            leafFindings.Add(chainFinding);
        }

        if (FindingRules.Hostname(leaf, nameUsed, location) is { } hostname)
        {
            leafFindings.Add(hostname);
        }

        if (await anchors.IssuerOfAsync(leaf, cancellationToken).ConfigureAwait(false) is not null
            && await NewerOfOursAsync(leaf, now, cancellationToken).ConfigureAwait(false) is { } newer)
        {
            leafFindings.Add(new Finding(FindingCodes.RenewedNotDeployed, FindingSeverity.Medium,
                $"A newer certificate of ours for the same names ({newer.Fingerprint[..16]}…, valid from {newer.NotBefore:yyyy-MM-dd} to {newer.NotAfter:yyyy-MM-dd}) exists but this endpoint still serves this one.",
                location));
        }

        var fingerprints = chain.Select(c => c.Fingerprint).ToArray();
        for (var position = 0; position < chain.Count; position++)
        {
            await store.UpsertLocationAsync(
                new InventoryLocation(chain[position].Fingerprint, location, LocationKind.Endpoint, position, now, now, result.Endpoint.ServerName,
                    result.Address, sweepId, fingerprints, position == 0 ? leafFindings : []),
                cancellationToken).ConfigureAwait(false);
            await RefreshItemAsync(chain[position], InventorySources.Endpoint, now, owner: null, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Records one version of a vault certificate.</summary>
    public async Task RecordVaultAsync(VaultCertificate certificate, string sweepId, CancellationToken cancellationToken = default)
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
        await store.UpsertLocationAsync(
            new InventoryLocation(facts.Fingerprint, certificate.Location, LocationKind.KeyVault, 0, now, now, null, certificate.VaultUri.ToString(), sweepId, [facts.Fingerprint], []),
            cancellationToken).ConfigureAwait(false);
        await RefreshItemAsync(facts, InventorySources.KeyVault, now, owner: null, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A certificate we issued joins the inventory with the owner its request named.</summary>
    public async Task OnIssuedAsync(CertificateRecord certificate, CancellationToken cancellationToken = default)
    {
        if (certificate.CertificateDer is null)
        {
            return;
        }

        await RefreshItemAsync(CertificateFacts.Read(certificate.CertificateDer), InventorySources.Issued, time.GetUtcNow(), certificate.Owner, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Marks the item revoked, if the inventory holds it (it does for what we issued since the inventory exists).</summary>
    public async Task OnRevokedAsync(CertificateRecord certificate, CancellationToken cancellationToken = default)
    {
        if (certificate.CertificateDer is not { } der)
        {
            return;
        }

        var facts = CertificateFacts.Read(der);
        if (await store.GetAsync(facts.Fingerprint, cancellationToken).ConfigureAwait(false) is not null)
        {
            await RefreshItemAsync(facts, InventorySources.None, seen: null, owner: null, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Adds or updates the item: sources, last seen, whether one of our CAs issued it and revoked it, its
    /// stored findings (its own plus its locations'), and its owner (a rule fills it only where no
    /// request or API call set one). Optimistic: re-read and retry when another writer came first.
    /// </summary>
    private async Task RefreshItemAsync(CertificateFacts facts, InventorySources source, DateTimeOffset? seen, string? owner, CancellationToken cancellationToken)
    {
        var issuerCaId = await anchors.IssuerOfAsync(facts, cancellationToken).ConfigureAwait(false);
        var record = issuerCaId is null ? null : await certificates.GetAsync(facts.SerialNumber, cancellationToken).ConfigureAwait(false);
        var revocation = record is { Status: CertificateStatus.Revoked, IssuerId: var id } && id == issuerCaId
            ? new Finding(FindingCodes.Revoked, FindingSeverity.Critical,
                $"Revoked by CA {issuerCaId} on {record.RevokedAt:yyyy-MM-dd HH:mm} UTC ({RevocationReasons.Name(record.RevocationReason!.Value)}).")
            : null;
        var locations = await store.ListLocationsAsync(facts.Fingerprint, cancellationToken).ConfigureAwait(false);
        var findings = _rules.Intrinsic(facts)
            .Concat(revocation is null ? [] : [revocation])
            .Concat(locations.SelectMany(l => l.Findings))
            .ToArray();
        var rule = ownerRules.Match(facts);

        if (issuerCaId is not null && facts.DnsNames.Count > 0 && !facts.IsCa)
        {
            foreach (var name in facts.DnsNames.Distinct())
            {
                await store.UpsertNameAsync(new NamedCertificate(name, facts.Fingerprint, facts.DnsNames, facts.NotBefore, facts.NotAfter, issuerCaId), cancellationToken).ConfigureAwait(false);
            }
        }

        for (var attempt = 0; attempt < MaxWriteAttempts; attempt++)
        {
            var existing = await store.GetAsync(facts.Fingerprint, cancellationToken).ConfigureAwait(false);
            var now = seen ?? time.GetUtcNow();
            var item = existing?.Item ?? InventoryItem.From(facts, now, issuerCaId);
            item = item with
            {
                Sources = item.Sources | source,
                LastSeen = seen is { } s && s > item.LastSeen ? s : item.LastSeen,
                IssuerCaId = issuerCaId,
                Revoked = revocation is not null,
                Findings = findings,
            };
            if (owner is not null && item.OwnerSource is OwnerSource.None or OwnerSource.Rule)
            {
                item = item with { Owner = owner, Team = rule?.Team ?? item.Team, OwnerSource = OwnerSource.Issuance };
            }
            else if (rule is not null && item.OwnerSource is OwnerSource.None or OwnerSource.Rule)
            {
                item = item with { Owner = rule.Owner, Team = rule.Team, OwnerSource = OwnerSource.Rule };
            }

            var written = existing is { } found
                ? await store.TryReplaceAsync(item, found.Version, cancellationToken).ConfigureAwait(false)
                : await store.TryAddAsync(item, cancellationToken).ConfigureAwait(false);
            if (written)
            {
                return;
            }
        }

        throw new InvalidOperationException($"Inventory item {facts.Fingerprint} kept changing under {MaxWriteAttempts} attempts to update it.");
    }

    /// <summary>A newer, unexpired, unrevoked certificate of ours whose DNS names include all of this one's.</summary>
    private async Task<NamedCertificate?> NewerOfOursAsync(CertificateFacts leaf, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (leaf.DnsNames.Count == 0)
        {
            return null;
        }

        var candidates = await store.ListByNameAsync(leaf.DnsNames[0], cancellationToken).ConfigureAwait(false);
        foreach (var candidate in candidates.Where(c => c.Fingerprint != leaf.Fingerprint && c.NotBefore > leaf.NotBefore && c.NotAfter > now)
                     .Where(c => leaf.DnsNames.All(n => c.DnsNames.Contains(n, StringComparer.OrdinalIgnoreCase)))
                     .OrderByDescending(c => c.NotBefore))
        {
            if (await store.GetAsync(candidate.Fingerprint, cancellationToken).ConfigureAwait(false) is not { Item.Revoked: true })
            {
                return candidate;
            }
        }

        return null;
    }
}
