namespace Pki.Core.Delivery;

/// <summary>Why a Key Vault operation was started.</summary>
public enum DeliveryKind
{
    /// <summary>A team asked for a new certificate in its vault.</summary>
    Enroll,

    /// <summary>The renewer found a certificate with a Key Vault target due.</summary>
    Renew,
}
