namespace Pki.Core.Authority;

/// <summary>Idempotency records for issuance requests.</summary>
public interface IRequestStore
{
    Task<IssuanceRequestRecord?> GetAsync(string idempotencyKey, CancellationToken cancellationToken = default);

    /// <summary>Claims the key; false when another request holds it already.</summary>
    Task<bool> TryStartAsync(IssuanceRequestRecord record, CancellationToken cancellationToken = default);

    Task CompleteAsync(string idempotencyKey, string serialNumber, CancellationToken cancellationToken = default);

    /// <summary>Releases a claim whose issuance failed, so the caller may retry with the same key.</summary>
    Task AbandonAsync(string idempotencyKey, CancellationToken cancellationToken = default);
}
