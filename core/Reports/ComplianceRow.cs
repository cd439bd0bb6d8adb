using Pki.Core.Inventory;

namespace Pki.Core.Reports;

/// <summary>
/// One certificate in the compliance report. <see cref="Status"/> is revoked, expired, not-yet-valid or valid, in
/// that order of precedence; <see cref="Profile"/> is set for certificates we issued; <see cref="DaysToExpiry"/>
/// is whole days counted toward zero (<see cref="Core.DaysToExpiry"/>, as the notices count them), negative once a day past expiry.
/// </summary>
public sealed record ComplianceRow(
    string Fingerprint,
    string SerialNumber,
    string Subject,
    string Issuer,
    string? IssuerCaId,
    IReadOnlyList<string> DnsNames,
    IReadOnlyList<string> IpAddresses,
    IReadOnlyList<string> Sources,
    bool IsCa,
    string Status,
    string? Profile,
    DateTimeOffset NotBefore,
    DateTimeOffset NotAfter,
    int DaysToExpiry,
    string KeyAlgorithm,
    int KeySize,
    string SignatureAlgorithm,
    string? Owner,
    string? Team,
    DateTimeOffset LastSeen,
    IReadOnlyList<FindingView> Findings,
    IReadOnlyList<PolicyViolation> Violations);
