namespace Pki.Core.Authority;

/// <summary>The fields of a certificate request as the caller sent them, unvalidated.</summary>
public sealed record CertificateRequestInput(string? Csr, string? Profile, string? Owner, int? ValidityDays, bool? AutoRenew = null, string? Team = null);
