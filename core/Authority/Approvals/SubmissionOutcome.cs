namespace Pki.Core.Authority.Approvals;

/// <summary>The request as submitted, and whether it was returned for a repeated Idempotency-Key.</summary>
public sealed record SubmissionOutcome(ApprovalRequestView Request, bool Replayed);
