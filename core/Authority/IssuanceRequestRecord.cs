namespace Pki.Core.Authority;

/// <summary>
/// One accepted certificate request and where it got to. Requests with an Idempotency-Key are found by
/// that key, so a repeat returns the first result; <see cref="Version"/> is the store's concurrency tag.
/// </summary>
public sealed record IssuanceRequestRecord(
    string RequestId,
    string? IdempotencyKey,
    string BodyHash,
    RequestStatus Status,
    DateTimeOffset CreatedAt,
    string? SerialNumber = null,
    string? Version = null,
    DateTimeOffset? UpdatedAt = null)
{
    /// <summary>When the holder last showed progress; a claim older than the lease from here was left by a crash.</summary>
    public DateTimeOffset LeaseStart => UpdatedAt ?? CreatedAt;
}
