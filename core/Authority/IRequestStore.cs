namespace Pki.Core.Authority;

/// <summary>
/// Request records: idempotency claims for keyed requests, and a status line for every accepted request.
/// Every write to a claim is conditional on the version its holder last saw, so a request that lost
/// its claim to a retry can never change or remove the new holder's record.
/// </summary>
public interface IRequestStore
{
    Task<IssuanceRequestRecord?> GetByIdempotencyKeyAsync(string idempotencyKey, CancellationToken cancellationToken = default);

    /// <summary>Claims the record's idempotency key; the claim with its version, or null when another request holds it.</summary>
    Task<IssuanceRequestRecord?> TryStartAsync(IssuanceRequestRecord record, CancellationToken cancellationToken = default);

    /// <summary>Notes the reserved serial on the claim (renewing its lease); null when the claim was lost.</summary>
    Task<IssuanceRequestRecord?> TryAttachSerialAsync(IssuanceRequestRecord claim, string serialNumber, DateTimeOffset now, CancellationToken cancellationToken = default);

    /// <summary>Marks the claim issued; false when the claim was lost meanwhile.</summary>
    Task<bool> TryCompleteAsync(IssuanceRequestRecord claim, CancellationToken cancellationToken = default);

    /// <summary>Releases a claim (whose issuance failed before signing, or that a crash left behind) if it is still at that version.</summary>
    Task<bool> TryReleaseAsync(IssuanceRequestRecord claim, CancellationToken cancellationToken = default);

    /// <summary>Writes the final state of an unkeyed request: issued with its serial, or failed.</summary>
    Task RecordAsync(IssuanceRequestRecord record, CancellationToken cancellationToken = default);
}
