using Pki.Core.Inventory;

namespace Pki.Core.Discovery.KeyVault;

/// <summary>One version of one certificate in a Key Vault: its DER and where it lives.</summary>
/// <param name="Current">
/// The version the vault serves now, the one App Service, Front Door or Application Gateway pick up: the newest
/// enabled version. Older versions stay in the vault (and in the inventory) but are deployed nowhere.
/// </param>
public sealed record VaultCertificate(
    Uri VaultUri,
    string Name,
    string Version,
    byte[] Der,
    bool Enabled,
    DateTimeOffset? CreatedOn,
    DateTimeOffset? UpdatedOn,
    bool Current = false)
{
    /// <summary>The location key an inventory uses: the vault host (with a port other than 443), the certificate name and the version.</summary>
    public string Location => $"{VaultUri.Authority}/certificates/{Name}/{Version}";

    /// <summary>What the inventory records of this version.</summary>
    public VaultSighting ToSighting() => new(Location, VaultUri, Der, Current);
}
