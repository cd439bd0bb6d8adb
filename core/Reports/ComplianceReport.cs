namespace Pki.Core.Reports;

/// <summary>
/// A compliance report about to be written: its filters (already checked and scoped to the caller) and its rows,
/// read page by page from storage only as the writer asks for them.
/// </summary>
public sealed record ComplianceReport(DateTimeOffset GeneratedAt, ReportFilter Filter, IAsyncEnumerable<IReadOnlyList<ComplianceRow>> Pages);
