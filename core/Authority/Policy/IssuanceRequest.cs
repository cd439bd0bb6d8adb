namespace Pki.Core.Authority.Policy;

/// <summary>
/// What a caller asked for, after the CSR was parsed and its signature verified (or, for a renewal, after the
/// predecessor's key and names were read back from it; then <see cref="PredecessorSerial"/> names it).
/// </summary>
public sealed record IssuanceRequest(ParsedCsr Csr, CertificateProfile Profile, string? Owner, int? ValidityDays, bool? AutoRenew = null, string? PredecessorSerial = null, string? Team = null);
