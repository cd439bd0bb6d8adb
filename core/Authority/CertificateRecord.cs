
namespace Pki.Core.Authority;

/// <summary>
/// One certificate we issue, read by serial in one point read. <see cref="AutoRenew"/> null means the
/// profile's default (records written before the field existed); renewals link both ways by serial.
/// </summary>
public sealed record CertificateRecord(
    string SerialNumber,
    string IssuerId,
    CertificateStatus Status,
    string Profile,
    string Owner,
    string Subject,
    DateTimeOffset NotBefore,
    DateTimeOffset NotAfter,
    string RequestId,
    DateTimeOffset CreatedAt,
    byte[]? CertificateDer = null,
    DateTimeOffset? IssuedAt = null,
    int? CrlShard = null,
    DateTimeOffset? RevokedAt = null,
    RevocationReason? RevocationReason = null,
    bool? AutoRenew = null,
    string? PredecessorSerial = null,
    string? SuccessorSerial = null,
    string? Team = null);
