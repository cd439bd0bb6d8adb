namespace Pki.Core.Health;

/// <summary><c>GET /api/health/details</c>: the dashboard's health strip.</summary>
public sealed record HealthReport(
    DateTimeOffset GeneratedAt,
    IReadOnlyList<CaKeyHealth> CaKeys,
    IReadOnlyList<CrlHealth> Crls,
    IReadOnlyList<OcspHealth> Ocsp,
    AuditHealth Audit);
