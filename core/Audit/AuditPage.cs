namespace Pki.Core.Audit;

/// <summary>Records in time order, and where the next page starts (null on the last page).</summary>
public sealed record AuditPage(IReadOnlyList<AuditRecord> Records, string? ContinuationToken);
