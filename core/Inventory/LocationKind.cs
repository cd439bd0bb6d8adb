namespace Pki.Core.Inventory;

/// <summary>Where a certificate was seen.</summary>
public enum LocationKind
{
    Endpoint,
    KeyVault,

    /// <summary>
    /// A Key Vault certificate the service delivers the certificate to (<c>vault-host/certificates/name</c>, no version),
    /// recorded while that delivery fails or after it was given up: its finding lives here, so recomputing the item's
    /// findings from its locations (a sweep) keeps it. A completed delivery supersedes it.
    /// </summary>
    Delivery,
}
