namespace Pki.Core.Signing.KeyVault;

/// <summary>The vault that holds the CA keys. Bound from <c>Pki:Signing:KeyVault</c>.</summary>
public sealed class KeyVaultOptions
{
    /// <summary>The vault's URI, e.g. https://pki-prod-kv.vault.azure.net/ (another suffix in sovereign clouds).</summary>
    public string VaultUri { get; set; } = string.Empty;

    /// <summary>Client id of a user-assigned managed identity; empty means the system-assigned one (or the developer's login).</summary>
    public string ManagedIdentityClientId { get; set; } = string.Empty;

    /// <summary>
    /// The vault's name as key URIs carry it (<c>azurekms:vault=NAME;...</c>): the first label of the
    /// vault's host name, as in https://NAME.vault.azure.net/.
    /// </summary>
    public static string VaultNameOf(Uri vaultUri)
    {
        ArgumentNullException.ThrowIfNull(vaultUri);
        return vaultUri.HostNameType == UriHostNameType.Dns
            ? vaultUri.Host.Split('.')[0]
            : throw new ArgumentException($"The vault URI '{vaultUri}' must name a host, not an address.", nameof(vaultUri));
    }
}
