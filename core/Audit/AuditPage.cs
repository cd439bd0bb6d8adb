namespace Pki.Core.Audit;

/// <summary>Records in time order, and where the next page starts (null on the last page).</summary>
/// <param name="Unreadable">Rows of the page that could not be read as written (tampering); null when there are none.</param>
public sealed record AuditPage(IReadOnlyList<AuditRecord> Records, string? ContinuationToken, IReadOnlyList<UnreadableAuditRow>? Unreadable = null);
