using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Pki.Core.Authority;

namespace Pki.Core.Revocation;

/// <summary>
/// Builds, signs and publishes CRLs. Invariant: a CRL's number is allocated before its entries are
/// read, so a CRL covers every revocation committed before its number existed; publication keeps only
/// a higher number, so what relying parties fetch never moves backwards or loses a revocation.
/// </summary>
public sealed class CrlPublisher(
    AuthorityDirectory authorities,
    IRevocationStore revocations,
    ICrlStore crls,
    ICrlNumberStore numbers,
    CaUrls urls,
    TimeProvider time,
    IOptions<PkiOptions> options,
    ILogger<CrlPublisher> logger)
{
    /// <summary>Clock skew allowed between instances when a delta CRL decides what its base already holds.</summary>
    public static readonly TimeSpan DeltaOverlap = TimeSpan.FromMinutes(5);

    private readonly RevocationOptions _options = options.Value.Revocation;

    // One publication for revocations at a time per CA on this instance; a revocation that finds one running leaves its
    // shard pending rather than signing the same CRLs again right behind it.
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _revocationGates = new(StringComparer.Ordinal);

    /// <summary>
    /// After a revocation (its shard marked pending): publishes the CA's pending shards and the delta now, unless the
    /// delta is younger than <see cref="RevocationOptions.CrlRevocationIntervalSeconds"/> or another revocation of this
    /// instance is publishing them. Then they stay pending for <see cref="RefreshAsync"/>, so however many revocations
    /// arrive, requests sign a CA's CRLs at most once an interval and the timer once a minute. Says whether it published.
    /// </summary>
    public async Task<bool> TryPublishForRevocationAsync(CertificateAuthority ca, CancellationToken cancellationToken = default)
    {
        var gate = _revocationGates.GetOrAdd(ca.Id, _ => new SemaphoreSlim(1, 1));
        if (!await gate.WaitAsync(0, cancellationToken).ConfigureAwait(false))
        {
            return false;
        }

        try
        {
            var delta = await crls.GetInfoAsync(CrlId.Delta(ca.Id), cancellationToken).ConfigureAwait(false);
            if (delta is not null && time.GetUtcNow() - delta.ThisUpdate < TimeSpan.FromSeconds(_options.CrlRevocationIntervalSeconds))
            {
                return false;
            }

            await PublishPendingAsync(ca, cancellationToken).ConfigureAwait(false);
            return true;
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>
    /// Publishes each shard marked pending, then the delta, then clears the markers at the versions read. The markers are
    /// read before any CRL number is allocated, so a revocation marked after that keeps its marker for the next pass.
    /// </summary>
    public async Task<IReadOnlyList<PublishedCrl>> PublishPendingAsync(CertificateAuthority ca, CancellationToken cancellationToken = default)
    {
        var pending = await revocations.ListPendingAsync(ca.Id, cancellationToken).ConfigureAwait(false);
        if (pending.Count == 0)
        {
            return [];
        }

        var published = new List<PublishedCrl>(pending.Count + 1);
        foreach (var shard in pending)
        {
            published.Add(await PublishAsync(ca, CrlId.ForShard(ca.Id, shard.Shard), cancellationToken).ConfigureAwait(false));
        }

        published.Add(await PublishAsync(ca, CrlId.Delta(ca.Id), cancellationToken).ConfigureAwait(false));
        await ClearAsync(ca, pending, cancellationToken).ConfigureAwait(false);
        return published;
    }

    /// <summary>Every CRL of the CA now: for an issuing CA the complete CRL, each shard and the delta; for the root its one CRL.</summary>
    public async Task<IReadOnlyList<PublishedCrl>> PublishAllAsync(CertificateAuthority ca, CancellationToken cancellationToken = default)
    {
        var pending = ca.Role == CaRole.Issuing ? await revocations.ListPendingAsync(ca.Id, cancellationToken).ConfigureAwait(false) : [];
        var published = new List<PublishedCrl> { await PublishAsync(ca, CrlId.Full(ca.Id), cancellationToken).ConfigureAwait(false) };
        if (ca.Role == CaRole.Issuing)
        {
            for (var shard = 0; shard < _options.CrlShards; shard++)
            {
                published.Add(await PublishAsync(ca, CrlId.ForShard(ca.Id, shard), cancellationToken).ConfigureAwait(false));
            }

            published.Add(await PublishAsync(ca, CrlId.Delta(ca.Id), cancellationToken).ConfigureAwait(false));
        }

        await ClearAsync(ca, pending, cancellationToken).ConfigureAwait(false);
        return published;
    }

    /// <summary>
    /// The timer's pass over the issuing CAs: publish the shards revocations left pending and the delta, republish what
    /// nears its nextUpdate, and rebuild the complete CRLs when the delta has carried revocations for longer than the
    /// configured interval.
    /// </summary>
    public async Task<int> RefreshAsync(CancellationToken cancellationToken = default)
    {
        var count = 0;
        foreach (var ca in await authorities.ListAsync(cancellationToken).ConfigureAwait(false))
        {
            if (ca.Role != CaRole.Issuing)
            {
                await WarnIfRootCrlIsDueAsync(ca, cancellationToken).ConfigureAwait(false);
                continue;
            }

            var now = time.GetUtcNow();
            var full = await crls.GetInfoAsync(CrlId.Full(ca.Id), cancellationToken).ConfigureAwait(false);
            var delta = await crls.GetInfoAsync(CrlId.Delta(ca.Id), cancellationToken).ConfigureAwait(false);
            var rebuild = IsDue(full, now) || (delta is { Entries: > 0 } && now - full!.ThisUpdate >= TimeSpan.FromMinutes(_options.FullCrlIntervalMinutes));
            if (rebuild)
            {
                count += (await PublishAllAsync(ca, cancellationToken).ConfigureAwait(false)).Count;
                continue;
            }

            // What was published here is fresh, so the pass below passes over it.
            count += (await PublishPendingAsync(ca, cancellationToken).ConfigureAwait(false)).Count;

            var ids = Enumerable.Range(0, _options.CrlShards).Select(s => CrlId.ForShard(ca.Id, s)).Append(CrlId.Delta(ca.Id));
            foreach (var id in ids)
            {
                if (IsDue(await crls.GetInfoAsync(id, cancellationToken).ConfigureAwait(false), now))
                {
                    await PublishAsync(ca, id, cancellationToken).ConfigureAwait(false);
                    count++;
                }
            }
        }

        return count;
    }

    public async Task<PublishedCrl> PublishAsync(CertificateAuthority ca, CrlId id, CancellationToken cancellationToken = default)
    {
        // Allocated first: every revocation committed before this point is read below.
        var number = await numbers.NextAsync(ca.Id, cancellationToken).ConfigureAwait(false);
        var coversUntil = time.GetUtcNow();
        var thisUpdate = CaBootstrapper.Truncate(coversUntil);
        var nextUpdate = thisUpdate + (ca.Role == CaRole.Root ? TimeSpan.FromDays(_options.RootCrlValidityDays) : TimeSpan.FromHours(_options.CrlValidityHours));
        if (nextUpdate > ca.NotAfter)
        {
            nextUpdate = ca.NotAfter;
        }

        long? baseNumber = null;
        IAsyncEnumerable<RevocationEntry> source;
        switch (id.Kind)
        {
            case CrlKind.Delta:
                var baseCrl = await crls.GetInfoAsync(CrlId.Full(ca.Id), cancellationToken).ConfigureAwait(false);
                if (baseCrl is null)
                {
                    await PublishAsync(ca, CrlId.Full(ca.Id), cancellationToken).ConfigureAwait(false);
                    return await PublishAsync(ca, id, cancellationToken).ConfigureAwait(false);
                }

                baseNumber = baseCrl.CrlNumber;
                if (number <= baseCrl.CrlNumber)
                {
                    // A complete CRL took a later number meanwhile; a delta must be numbered above its base.
                    number = await numbers.NextAsync(ca.Id, cancellationToken).ConfigureAwait(false);
                }

                source = revocations.ListRecordedSinceAsync(ca.Id, baseCrl.CoversUntil - DeltaOverlap, cancellationToken);
                break;
            case CrlKind.Shard:
                source = revocations.ListAsync(ca.Id, id.Shard, cancellationToken);
                break;
            default:
                source = revocations.ListAsync(ca.Id, null, cancellationToken);
                break;
        }

        var template = new CrlTemplate(
            ca.SubjectNameDer,
            ca.SubjectKeyId,
            number,
            thisUpdate,
            nextUpdate,
            baseNumber,
            id.Kind == CrlKind.Shard ? urls.ShardCrl(ca.Id, id.Shard) : null,
            id.Kind == CrlKind.Full && ca.Role == CaRole.Issuing ? urls.DeltaCrl(ca.Id) : null);
        var signer = await authorities.GetSignerAsync(ca, cancellationToken).ConfigureAwait(false);

        // Entries stream from storage into the CRL; the last CRL of this kind sizes the buffer.
        var previous = await crls.GetInfoAsync(id, cancellationToken).ConfigureAwait(false);
        var (der, count) = await CrlEncoder.EncodeAsync(template, Unexpired(source, thisUpdate), signer, previous?.Entries ?? 0, cancellationToken).ConfigureAwait(false);

        var info = new CrlInfo(number, thisUpdate, nextUpdate, coversUntil, count, baseNumber, der.Length);
        var stored = await crls.TryPublishAsync(id, der, info, CancellationToken.None).ConfigureAwait(false);
        logger.LogInformation("CRL {CrlId} number {CrlNumber} with {Entries} entries ({Bytes} bytes) {Outcome}",
            id.ToString(), number, count, der.Length, stored ? "published" : "superseded by a newer one");
        return new PublishedCrl(id, info, stored);
    }

    private async Task ClearAsync(CertificateAuthority ca, IReadOnlyList<PendingShard> published, CancellationToken cancellationToken)
    {
        foreach (var shard in published)
        {
            if (!await revocations.ClearPendingAsync(ca.Id, shard, cancellationToken).ConfigureAwait(false))
            {
                logger.LogDebug("CRL shard {Shard} of CA {CaId} was marked again while it was published; it stays pending", shard.Shard, ca.Id);
            }
        }
    }

    /// <summary>An expired certificate's entry may leave the CRL (RFC 5280 3.3); it stays in the store.</summary>
    private static async IAsyncEnumerable<CrlEntry> Unexpired(IAsyncEnumerable<RevocationEntry> source, DateTimeOffset thisUpdate)
    {
        await foreach (var entry in source.ConfigureAwait(false))
        {
            if (entry.NotAfter >= thisUpdate)
            {
                yield return new CrlEntry(Convert.FromHexString(entry.SerialNumber), entry.RevokedAt, entry.Reason);
            }
        }
    }

    private bool IsDue(CrlInfo? info, DateTimeOffset now) =>
        info is null || info.NextUpdate - now <= TimeSpan.FromHours(_options.CrlRefreshMarginHours);

    private async Task WarnIfRootCrlIsDueAsync(CertificateAuthority root, CancellationToken cancellationToken)
    {
        var info = await crls.GetInfoAsync(CrlId.Full(root.Id), cancellationToken).ConfigureAwait(false);
        if (info is null || info.NextUpdate - time.GetUtcNow() < TimeSpan.FromDays(7))
        {
            logger.LogWarning("The CRL of root CA {CaId} is {State}; publish it with POST /api/ca/{CaId}/crl", root.Id,
                info is null ? "not published" : $"due on {info.NextUpdate:u}", root.Id);
        }
    }
}

/// <summary>The outcome of one publication.</summary>
public sealed record PublishedCrl(CrlId Id, CrlInfo Info, bool Stored);
