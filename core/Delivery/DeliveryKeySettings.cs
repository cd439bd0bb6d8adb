namespace Pki.Core.Delivery;

/// <summary>
/// The key a vault certificate was enrolled with (Key Vault's key type, size or curve, exportable or not), kept beside
/// its target so that each renewal asks the vault for a new key of the same kind (an HSM key stays an HSM key).
/// </summary>
public sealed record DeliveryKeySettings(string KeyType, int KeySize, bool Exportable);
