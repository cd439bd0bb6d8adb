namespace Pki.Core.Reports;

/// <summary>
/// The responsibility matrix: team → owner → certificates (leaf certificates only), and those lacking an owner or a
/// team. Counts are always complete; when more than the configured maximum would be listed, the lists stop there
/// and <see cref="Truncated"/> says so (narrow the report with the team or time filters).
/// </summary>
public sealed record OwnershipReport(
    DateTimeOffset GeneratedAt,
    ReportFilter Filter,
    int Total,
    IReadOnlyList<TeamOwnership> Teams,
    int UnownedCount,
    IReadOnlyList<OwnedCertificate> Unowned,
    bool Truncated);
