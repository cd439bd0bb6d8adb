using Pki.Core.Signing.KeyVault;
using Pki.Core.Signing.Pkcs11;

namespace Pki.Core.Signing;

/// <summary>Which key store holds the CA keys. There is no default: the provider must be named.</summary>
public sealed class SigningOptions
{
    public const string Pkcs11Provider = "pkcs11";
    public const string KeyVaultProvider = "keyvault";

    public string Provider { get; set; } = string.Empty;

    public Pkcs11Options Pkcs11 { get; set; } = new();

    public KeyVaultOptions KeyVault { get; set; } = new();
}
