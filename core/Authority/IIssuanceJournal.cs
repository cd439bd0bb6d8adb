namespace Pki.Core.Authority;

/// <summary>
/// Issuances not yet finished: an entry is opened before a certificate is signed and closed once everything derived
/// from it (inventory, pre-signed OCSP, events, indexes, the audit record) is written. What a crash leaves open, the
/// issuance repair pass finishes, so a derived row never depends on a process staying alive. Entries sit in hourly
/// partitions, and a closed one is deleted, so a pass reads only what is still open.
/// </summary>
public interface IIssuanceJournal
{
    Task OpenAsync(IssuanceJournalEntry entry, CancellationToken cancellationToken = default);

    Task CloseAsync(IssuanceJournalEntry entry, CancellationToken cancellationToken = default);

    /// <summary>The open entries of one hour (<see cref="IssuanceJournalEntry.HourOf"/>).</summary>
    Task<IReadOnlyList<IssuanceJournalEntry>> ListOpenAsync(string hour, CancellationToken cancellationToken = default);

    /// <summary>The first hour the repair pass has not finished, or null before its first pass.</summary>
    Task<string?> GetCursorAsync(CancellationToken cancellationToken = default);

    Task SetCursorAsync(string hour, CancellationToken cancellationToken = default);
}
