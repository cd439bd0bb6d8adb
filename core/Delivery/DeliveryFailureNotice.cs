using Pki.Core.Authority;

namespace Pki.Core.Delivery;

/// <summary>
/// A delivery to a Key Vault certificate that failed (<paramref name="GivenUp"/> false: it is retried at
/// <paramref name="NextAttemptAt"/>) or was given up, about <paramref name="Certificate"/>: a renewal's predecessor, or the
/// certificate an enrollment signed. <paramref name="Reason"/> is the last error and what to fix.
/// </summary>
public sealed record DeliveryFailureNotice(
    CertificateRecord Certificate,
    KeyVaultTarget Target,
    DeliveryKind Kind,
    int Attempts,
    string Reason,
    bool GivenUp,
    DateTimeOffset? NextAttemptAt,
    string? SuccessorSerial);
