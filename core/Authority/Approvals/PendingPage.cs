namespace Pki.Core.Authority.Approvals;

/// <summary>Request ids from the pending listing, and where the next page starts (null at the end).</summary>
public sealed record PendingPage(IReadOnlyList<PendingEntry> Entries, string? Next);
