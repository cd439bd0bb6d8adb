namespace Pki.Core.Authority.Approvals;

/// <summary>Request ids from the pending listing, and the token of the next page (null at the end).</summary>
public sealed record PendingPage(IReadOnlyList<PendingEntry> Entries, string? ContinuationToken);
