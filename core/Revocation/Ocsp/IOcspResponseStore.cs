namespace Pki.Core.Revocation.Ocsp;

/// <summary>
/// Pre-signed responses by serial (one point read), with a refresh index per CA ordered by due time,
/// so the refresh timer reads one partition range of what is due.
/// </summary>
public interface IOcspResponseStore
{
    Task<StoredOcspResponse?> GetAsync(string serialNumber, CancellationToken cancellationToken = default);

    /// <summary>
    /// Stores a new certificate's first response, which has none yet; when one exists after all (a repair pass, a
    /// revocation first), as <see cref="SaveAsync"/>.
    /// </summary>
    Task<StoredOcspResponse> AddFirstAsync(StoredOcspResponse response, CancellationToken cancellationToken = default);

    /// <summary>
    /// Stores the response and moves its refresh entry; safe to repeat after a crash. A stored "revoked"
    /// is never replaced by another status: then the stored response is returned instead of this one.
    /// </summary>
    Task<StoredOcspResponse> SaveAsync(StoredOcspResponse response, CancellationToken cancellationToken = default);

    /// <summary>Serials of the CA whose refresh time is before <paramref name="dueBefore"/>, with their index keys.</summary>
    IAsyncEnumerable<(string SerialNumber, string RefreshKey)> ListDueAsync(string issuerId, DateTimeOffset dueBefore, CancellationToken cancellationToken = default);

    Task RemoveRefreshEntryAsync(string issuerId, string refreshKey, CancellationToken cancellationToken = default);
}
