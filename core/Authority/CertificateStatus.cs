namespace Pki.Core.Authority;

public enum CertificateStatus
{
    /// <summary>Serial reserved and TBS built; the signature may or may not have happened (crash window).</summary>
    Issuing,

    /// <summary>Signed and stored.</summary>
    Issued,

    /// <summary>Issued, then revoked; the record keeps when and why.</summary>
    Revoked,

    /// <summary>
    /// Reserved, but its request stopped and a retry took its Idempotency-Key over: never issued. If its signer was
    /// only slow and signed afterwards, the record keeps that DER, which was never handed out.
    /// </summary>
    Abandoned,
}
