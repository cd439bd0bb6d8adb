namespace Pki.Core.Inventory;

/// <summary>Where a certificate was seen.</summary>
public enum LocationKind
{
    Endpoint,
    KeyVault,
}
