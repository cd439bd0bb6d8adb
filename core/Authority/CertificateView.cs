namespace Pki.Core.Authority;

/// <summary>A certificate as the API returns it.</summary>
public sealed record CertificateView(
    string SerialNumber,
    string CertificatePem,
    string ChainPem,
    DateTimeOffset NotBefore,
    DateTimeOffset NotAfter,
    string Profile,
    string Owner,
    string Status,
    string IssuerId,
    DateTimeOffset? RevokedAt = null,
    string? RevocationReason = null,
    string? Team = null);
