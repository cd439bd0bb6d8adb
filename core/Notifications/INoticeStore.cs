namespace Pki.Core.Notifications;

/// <summary>
/// The dedupe rows of notices (one per certificate, threshold and level: point reads and conditional writes) and the
/// digest index (one partition per UTC day of sending, read whole by the digest).
/// </summary>
public interface INoticeStore
{
    Task<NoticeRecord?> GetAsync(string fingerprint, int thresholdDays, RecipientLevel level, CancellationToken cancellationToken = default);

    /// <summary>
    /// Claims the notice for <paramref name="holder"/> until <paramref name="until"/>: creates the row, or takes it over when
    /// the holder is the same message (a retry) or the claim has expired. Conditional on the row's ETag, so of two messages
    /// one wins.
    /// </summary>
    Task<ClaimResult> TryClaimAsync(string fingerprint, int thresholdDays, RecipientLevel level, string holder, DateTimeOffset now, DateTimeOffset until, CancellationToken cancellationToken = default);

    /// <summary>Records that <paramref name="channel"/> delivered; throws when the claim was taken over meanwhile (ETag mismatch).</summary>
    Task<NoticeRecord> MarkChannelAsync(NoticeRecord claim, string channel, CancellationToken cancellationToken = default);

    /// <summary>Records that the notice is done; throws when the claim was taken over meanwhile.</summary>
    Task<NoticeRecord> MarkSentAsync(NoticeRecord claim, DateTimeOffset sentAt, CancellationToken cancellationToken = default);

    /// <summary>Ends a claim now (its message goes to poison), so a later planning pass may send the notice; keeps the channels done.</summary>
    Task ReleaseAsync(NoticeRecord claim, DateTimeOffset now, CancellationToken cancellationToken = default);

    /// <summary>Adds or overwrites the digest entry (keyed by day of <see cref="DigestEntry.SentAt"/>, owner and notice).</summary>
    Task UpsertDigestEntryAsync(DigestEntry entry, CancellationToken cancellationToken = default);

    /// <summary>The digest entries of notices sent on one UTC day.</summary>
    Task<IReadOnlyList<DigestEntry>> ListDigestEntriesAsync(DateOnly day, CancellationToken cancellationToken = default);

    /// <summary>Whether the owner's digest of <paramref name="day"/> went out.</summary>
    Task<bool> IsDigestSentAsync(DateOnly day, string owner, CancellationToken cancellationToken = default);

    Task MarkDigestSentAsync(DateOnly day, string owner, DateTimeOffset sentAt, CancellationToken cancellationToken = default);
}
