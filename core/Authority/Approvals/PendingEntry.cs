namespace Pki.Core.Authority.Approvals;

/// <summary>One row of the pending listing: which request, for which team.</summary>
public sealed record PendingEntry(string RequestId, string Team);
