namespace Pki.Core.Authority;

/// <summary>Request records: idempotency claims for keyed requests, and a status line for every accepted request.</summary>
public interface IRequestStore
{
    Task<IssuanceRequestRecord?> GetByIdempotencyKeyAsync(string idempotencyKey, CancellationToken cancellationToken = default);

    /// <summary>Claims the record's idempotency key with a pending record; false when another request holds it.</summary>
    Task<bool> TryStartAsync(IssuanceRequestRecord record, CancellationToken cancellationToken = default);

    /// <summary>Notes the reserved serial on a pending keyed request before the certificate is signed.</summary>
    Task AttachSerialAsync(string idempotencyKey, string serialNumber, CancellationToken cancellationToken = default);

    /// <summary>Writes the final state of a request: issued with its serial, or failed.</summary>
    Task RecordAsync(IssuanceRequestRecord record, CancellationToken cancellationToken = default);

    /// <summary>Releases a claim whose issuance failed before anything was signed, so the caller may retry with the key.</summary>
    Task AbandonAsync(string idempotencyKey, CancellationToken cancellationToken = default);

    /// <summary>Removes a pending claim left behind by a crash, if it is still the version we read; false when someone else moved first.</summary>
    Task<bool> TryReleaseStaleAsync(IssuanceRequestRecord record, CancellationToken cancellationToken = default);
}
