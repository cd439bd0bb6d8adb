namespace Pki.Core.Authority;

/// <summary>
/// A certificate as <c>GET /api/certificates</c> lists it: the fields of <see cref="CertificateView"/> without the PEMs
/// (read one by its serial for those), plus its subject.
/// </summary>
public sealed record CertificateSummary(
    string SerialNumber,
    string Subject,
    DateTimeOffset NotBefore,
    DateTimeOffset NotAfter,
    string Profile,
    string Owner,
    string? Team,
    string Status,
    string IssuerId,
    bool AutoRenew,
    DateTimeOffset? RevokedAt = null,
    string? RevocationReason = null,
    string? PredecessorSerialNumber = null,
    string? SuccessorSerialNumber = null);
