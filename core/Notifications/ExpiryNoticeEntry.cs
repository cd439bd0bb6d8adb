namespace Pki.Core.Notifications;

/// <summary>
/// One threshold crossing of one inventory item in the expiry-notice index, in the bucket of the UTC day it is crossed
/// (<see cref="CrossesAt"/>: notAfter less the threshold, or the moment the item was first recorded when that was later).
/// <see cref="Planned"/> is set once the pass has handled it; <see cref="Version"/> is the store's concurrency tag.
/// </summary>
public sealed record ExpiryNoticeEntry(
    string Day,
    string Fingerprint,
    int ThresholdDays,
    DateTimeOffset CrossesAt,
    DateTimeOffset NotAfter,
    bool Planned = false,
    string? Version = null);
