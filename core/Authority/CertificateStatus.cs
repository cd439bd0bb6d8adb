namespace Pki.Core.Authority;

public enum CertificateStatus
{
    /// <summary>Serial reserved and TBS built; the signature may or may not have happened (crash window).</summary>
    Issuing,

    /// <summary>Signed and stored.</summary>
    Issued,

    /// <summary>Issued, then revoked; the record keeps when and why.</summary>
    Revoked,
}
