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

    /// <summary>Publishes after a revocation: the certificate's shard, then the delta. Cost grows with those, not with the whole revoked set.</summary>
    public async Task PublishForRevocationAsync(CertificateAuthority ca, int shard, CancellationToken cancellationToken = default)
    {
        await PublishAsync(ca, CrlId.ForShard(ca.Id, shard), cancellationToken).ConfigureAwait(false);
        await PublishAsync(ca, CrlId.Delta(ca.Id), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Every CRL of the CA now: for an issuing CA the complete CRL, each shard and the delta; for the root its one CRL.</summary>
    public async Task<IReadOnlyList<PublishedCrl>> PublishAllAsync(CertificateAuthority ca, CancellationToken cancellationToken = default)
    {
        var published = new List<PublishedCrl> { await PublishAsync(ca, CrlId.Full(ca.Id), cancellationToken).ConfigureAwait(false) };
        if (ca.Role == CaRole.Issuing)
        {
            for (var shard = 0; shard < _options.CrlShards; shard++)
            {
                published.Add(await PublishAsync(ca, CrlId.ForShard(ca.Id, shard), cancellationToken).ConfigureAwait(false));
            }

            published.Add(await PublishAsync(ca, CrlId.Delta(ca.Id), cancellationToken).ConfigureAwait(false));
        }

        return published;
    }

    /// <summary>
    /// The timer's pass over the issuing CAs: republish what nears its nextUpdate, and rebuild the
    /// complete CRLs when the delta has carried revocations for longer than the configured interval.
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
