namespace Pki.Core.Authority;

/// <summary>
/// Filters of <c>GET /api/certificates</c>; all given ones must hold. Only issued and revoked certificates are listed
/// (<see cref="Status"/> narrows to one); <see cref="ExpiresBefore"/> and <see cref="ExpiresAfter"/> bound notAfter,
/// both exclusive.
/// </summary>
public sealed record CertificateQuery(
    string? Team = null,
    string? Owner = null,
    CertificateStatus? Status = null,
    string? Profile = null,
    DateTimeOffset? ExpiresBefore = null,
    DateTimeOffset? ExpiresAfter = null);
