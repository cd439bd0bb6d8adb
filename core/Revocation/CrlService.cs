using System.Globalization;
using Microsoft.Extensions.Options;
using Pki.Core.Authority;
using Pki.Core.Errors;

namespace Pki.Core.Revocation;

/// <summary>What the CRL endpoints call: read a published CRL by its URL part, or publish a CA's CRLs now.</summary>
public sealed class CrlService(AuthorityDirectory authorities, ICrlStore crls, CrlPublisher publisher, CaUrls urls, IOptions<PkiOptions> options)
{
    /// <summary>The stored CRL; an issuing CA's CRL that was never published is published now (once, then served from storage).</summary>
    public async Task<StoredCrl> OpenAsync(string caId, string? part, CancellationToken cancellationToken = default)
    {
        var ca = await authorities.GetAsync(caId, cancellationToken).ConfigureAwait(false);
        var id = Parse(ca, part);
        var stored = await crls.OpenAsync(id, cancellationToken).ConfigureAwait(false);
        if (stored is not null)
        {
            return stored;
        }

        if (ca.Role == CaRole.Root)
        {
            throw ProblemException.NotFound("crl-not-published",
                $"The CRL of root CA '{ca.Id}' has not been published; an operator publishes it with POST /{Routes.Prefix}/ca/{ca.Id}/crl.");
        }

        await publisher.PublishAsync(ca, id, cancellationToken).ConfigureAwait(false);
        return await crls.OpenAsync(id, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"CRL {id} was published but cannot be read back.");
    }

    public async Task<IReadOnlyList<CrlView>> PublishAllAsync(string caId, CancellationToken cancellationToken = default)
    {
        var ca = await authorities.GetAsync(caId, cancellationToken).ConfigureAwait(false);
        var published = await publisher.PublishAllAsync(ca, cancellationToken).ConfigureAwait(false);
        return published.Select(p => new CrlView(
            p.Id.Kind.ToString().ToLowerInvariant(),
            p.Id.Kind == CrlKind.Shard ? p.Id.Shard : null,
            Url(p.Id),
            p.Info.CrlNumber,
            p.Info.BaseCrlNumber,
            p.Info.ThisUpdate,
            p.Info.NextUpdate,
            p.Info.Entries,
            p.Stored)).ToArray();
    }

    private CrlId Parse(CertificateAuthority ca, string? part)
    {
        if (string.IsNullOrEmpty(part))
        {
            return CrlId.Full(ca.Id);
        }

        if (ca.Role == CaRole.Issuing && part == Routes.DeltaCrlSegment)
        {
            return CrlId.Delta(ca.Id);
        }

        var shards = options.Value.Revocation.CrlShards;
        // Digits only, no leading zero: each shard has exactly one URL.
        if (ca.Role == CaRole.Issuing && int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var shard)
            && shard < shards && part == shard.ToString(CultureInfo.InvariantCulture))
        {
            return CrlId.ForShard(ca.Id, shard);
        }

        throw ProblemException.NotFound("unknown-crl",
            ca.Role == CaRole.Issuing
                ? $"CA '{ca.Id}' publishes its complete CRL, '{Routes.DeltaCrlSegment}', and shards 0 to {shards - 1}; '{part}' is none of them."
                : $"Root CA '{ca.Id}' publishes one CRL, at /{Routes.Prefix}/ca/{ca.Id}/crl.");
    }

    private string Url(CrlId id) => id.Kind switch
    {
        CrlKind.Delta => urls.DeltaCrl(id.IssuerId),
        CrlKind.Shard => urls.ShardCrl(id.IssuerId, id.Shard),
        _ => urls.Crl(id.IssuerId),
    };
}

/// <summary>One published CRL as the API describes it.</summary>
public sealed record CrlView(
    string Kind,
    int? Shard,
    string Url,
    long CrlNumber,
    long? BaseCrlNumber,
    DateTimeOffset ThisUpdate,
    DateTimeOffset NextUpdate,
    int Entries,
    bool Published);
