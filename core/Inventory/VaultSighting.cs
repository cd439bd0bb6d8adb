namespace Pki.Core.Inventory;

/// <summary>
/// One version of a Key Vault certificate, as the inventory records it: its location key (vault host, certificate name
/// and version), the vault, the DER, and whether it is the version the vault serves now (the only one deployed).
/// </summary>
public sealed record VaultSighting(string Location, Uri VaultUri, byte[] Der, bool Current);
