namespace Pki.Core.Authority.Approvals;

/// <summary>
/// Requests held for approval: point reads by id, a listing of the pending ones only (bounded by how many are
/// pending, not by history), and conditional transitions.
/// </summary>
public interface IApprovalStore
{
    Task<ApprovalRecord?> GetAsync(string requestId, CancellationToken cancellationToken = default);

    /// <summary>Stores a new pending request and lists it; null when a request with this id exists already.</summary>
    Task<ApprovalRecord?> TryAddAsync(ApprovalRecord record, CancellationToken cancellationToken = default);

    /// <summary>Replaces the record if it is still at <see cref="ApprovalRecord.Version"/>; the new version, or null when another writer came first.</summary>
    Task<ApprovalRecord?> TryUpdateAsync(ApprovalRecord record, CancellationToken cancellationToken = default);

    /// <summary>Takes a request off the pending listing once it left pending (idempotent).</summary>
    Task UnlistAsync(ApprovalRecord record, CancellationToken cancellationToken = default);

    /// <summary>Pending listing in request-id order within a team (all teams when null), from where <paramref name="continuationToken"/> (one this store handed out) left off.</summary>
    /// <exception cref="Errors.ProblemException">400 invalid-continuation-token: a token this listing did not hand out.</exception>
    Task<PendingPage> ListPendingAsync(string? team, int pageSize, string? continuationToken, CancellationToken cancellationToken = default);
}
