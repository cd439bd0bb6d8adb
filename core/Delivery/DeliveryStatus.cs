namespace Pki.Core.Delivery;

/// <summary>Where a Key Vault operation stands after a call or a resume pass.</summary>
public enum DeliveryStatus
{
    /// <summary>Signed and merged: the vault's current version is the certificate.</summary>
    Delivered,

    /// <summary>In flight: a vault refused or did not answer, or another host works on it; the resume pass continues it.</summary>
    Pending,

    /// <summary>Given up: policy refused the vault's CSR, the certificate was renewed otherwise, or the attempts ran out; the vault's pending operation was deleted.</summary>
    Cancelled,
}
