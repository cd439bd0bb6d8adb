namespace Pki.Core.Authority;

/// <summary>
/// A certificate as the API returns it. <see cref="AutoRenew"/> is whether it renews itself (the request's choice, else
/// its profile's default); a renewal links both ways: <see cref="PredecessorSerialNumber"/> on the successor,
/// <see cref="SuccessorSerialNumber"/> on the predecessor once the successor is issued. <see cref="Warnings"/> say where a
/// request was met otherwise than asked (<see cref="IssuanceWarnings"/>); absent when there is nothing to say.
/// </summary>
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
    string? Team = null,
    bool? AutoRenew = null,
    string? PredecessorSerialNumber = null,
    string? SuccessorSerialNumber = null,
    IReadOnlyList<ResponseWarning>? Warnings = null);
