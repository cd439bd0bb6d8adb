namespace Pki.Core.Authority.Policy;

/// <summary>What a caller asked for, after the CSR was parsed and its signature verified.</summary>
public sealed record IssuanceRequest(ParsedCsr Csr, CertificateProfile Profile, string? Owner, int? ValidityDays);
