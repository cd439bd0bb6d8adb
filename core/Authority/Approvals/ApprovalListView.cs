namespace Pki.Core.Authority.Approvals;

/// <summary>A page of pending requests; pass <see cref="ContinuationToken"/> back for the next.</summary>
public sealed record ApprovalListView(IReadOnlyList<ApprovalRequestView> Items, string? ContinuationToken);
