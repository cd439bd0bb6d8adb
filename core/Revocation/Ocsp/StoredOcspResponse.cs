namespace Pki.Core.Revocation.Ocsp;

/// <summary>A pre-signed OCSP response for one serial (SHA-1 CertID, no nonce), as served to most requests.</summary>
/// <param name="RefreshAt">When the timer re-signs it; null once the certificate has expired.</param>
public sealed record StoredOcspResponse(
    string SerialNumber,
    string IssuerId,
    OcspCertStatus Status,
    DateTimeOffset ThisUpdate,
    DateTimeOffset NextUpdate,
    DateTimeOffset? RefreshAt,
    byte[] ResponseDer);

public enum OcspCertStatus
{
    Good,
    Revoked,
    Unknown,
}
