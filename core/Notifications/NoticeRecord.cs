namespace Pki.Core.Notifications;

/// <summary>
/// The dedupe row of one notice: one per certificate, threshold and level. <see cref="Holder"/> is the queue message
/// that claimed it, until <see cref="ClaimedUntil"/>; <see cref="Version"/> is the row's ETag for conditional writes.
/// </summary>
public sealed record NoticeRecord(
    string Fingerprint,
    int ThresholdDays,
    RecipientLevel Level,
    NoticeState State,
    string Holder,
    DateTimeOffset ClaimedUntil,
    IReadOnlyList<string> Channels,
    DateTimeOffset? SentAt,
    string Version);
