namespace Pki.Core.Inventory;

/// <summary>Where the inventory learned of a certificate; an item may have several.</summary>
[Flags]
public enum InventorySources
{
    None = 0,

    /// <summary>This service issued it.</summary>
    Issued = 1,

    /// <summary>A TLS endpoint presented it.</summary>
    Endpoint = 2,

    /// <summary>A Key Vault holds it.</summary>
    KeyVault = 4,
}
