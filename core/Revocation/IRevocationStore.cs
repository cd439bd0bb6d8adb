namespace Pki.Core.Revocation;

/// <summary>
/// The revoked set of each CA in one partition, ordered by shard then serial: a shard is one range
/// read, the whole set one partition read.
/// </summary>
public interface IRevocationStore
{
    /// <summary>Writes the entry; writing the same entry again changes nothing.</summary>
    Task UpsertAsync(RevocationEntry entry, CancellationToken cancellationToken = default);

    /// <summary>The CA's entries, all shards or one.</summary>
    IAsyncEnumerable<RevocationEntry> ListAsync(string issuerId, int? shard = null, CancellationToken cancellationToken = default);

    /// <summary>The CA's entries recorded at or after a time (for delta CRLs).</summary>
    IAsyncEnumerable<RevocationEntry> ListRecordedSinceAsync(string issuerId, DateTimeOffset since, CancellationToken cancellationToken = default);
}
