namespace Pki.Core.Revocation;

/// <summary>
/// The revoked set of each CA in one partition, ordered by shard then serial: a shard is one range
/// read, the whole set one partition read. Beside it, one marker per shard holding a revocation not yet
/// published in a CRL: the CRL timer publishes what they name, so no revocation is left out of the CRLs.
/// </summary>
public interface IRevocationStore
{
    /// <summary>
    /// Writes the entry and marks its shard pending publication, both or neither; writing the same entry again changes
    /// nothing but the marker.
    /// </summary>
    Task UpsertAsync(RevocationEntry entry, CancellationToken cancellationToken = default);

    /// <summary>One serial's entry (a point read), or null when it was never written.</summary>
    Task<RevocationEntry?> GetAsync(string issuerId, int shard, string serialNumber, CancellationToken cancellationToken = default);

    /// <summary>The CA's entries, all shards or one.</summary>
    IAsyncEnumerable<RevocationEntry> ListAsync(string issuerId, int? shard = null, CancellationToken cancellationToken = default);

    /// <summary>The CA's entries recorded at or after a time (for delta CRLs).</summary>
    IAsyncEnumerable<RevocationEntry> ListRecordedSinceAsync(string issuerId, DateTimeOffset since, CancellationToken cancellationToken = default);

    /// <summary>The CA's shards marked pending publication, with each marker's version (one range read).</summary>
    Task<IReadOnlyList<PendingShard>> ListPendingAsync(string issuerId, CancellationToken cancellationToken = default);

    /// <summary>Removes the marker if it is still at the version read; a revocation that marked it since keeps it. Says whether it did.</summary>
    Task<bool> ClearPendingAsync(string issuerId, PendingShard pending, CancellationToken cancellationToken = default);
}
