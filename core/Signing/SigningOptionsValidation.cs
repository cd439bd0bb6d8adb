using Pki.Core.Signing.KeyVault;

namespace Pki.Core.Signing;

/// <summary>Start-up checks of <c>Pki:Signing</c>, each naming the setting (called by <see cref="PkiOptionsValidator"/>).</summary>
public static class SigningOptionsValidation
{
    public static void Validate(SigningOptions signing, List<string> errors)
    {
        const string p = PkiOptions.Section;
        if (signing.Provider == SigningOptions.KeyVaultProvider)
        {
            ValidateKeyVault(signing.KeyVault, errors);
        }
        else if (signing.Provider != SigningOptions.Pkcs11Provider)
        {
            errors.Add($"{p}:Signing:Provider must name the CA key store ('{SigningOptions.Pkcs11Provider}' or '{SigningOptions.KeyVaultProvider}'); got '{signing.Provider}'. There is no default.");
        }
        else
        {
            if (string.IsNullOrWhiteSpace(signing.Pkcs11.LibraryPath) || !File.Exists(signing.Pkcs11.LibraryPath))
            {
                errors.Add($"{p}:Signing:Pkcs11:LibraryPath must name an existing PKCS#11 module; got '{signing.Pkcs11.LibraryPath}'.");
            }

            if (string.IsNullOrWhiteSpace(signing.Pkcs11.TokenLabel))
            {
                errors.Add($"{p}:Signing:Pkcs11:TokenLabel is required.");
            }

            if (string.IsNullOrEmpty(signing.Pkcs11.UserPin))
            {
                errors.Add($"{p}:Signing:Pkcs11:UserPin is required (supply it from the environment or a secret store).");
            }
        }
    }

    private static void ValidateKeyVault(KeyVaultOptions kv, List<string> errors)
    {
        const string s = PkiOptions.Section + ":Signing:KeyVault";
        if (string.IsNullOrWhiteSpace(kv.VaultUri))
        {
            errors.Add($"{s}:VaultUri is required when {PkiOptions.Section}:Signing:Provider is '{SigningOptions.KeyVaultProvider}' (e.g. https://NAME.vault.azure.net/).");
        }
        else if (!Uri.TryCreate(kv.VaultUri, UriKind.Absolute, out var vault) || vault.Scheme != Uri.UriSchemeHttps)
        {
            errors.Add($"{s}:VaultUri must be an absolute https URL such as https://NAME.vault.azure.net/; got '{kv.VaultUri}'.");
        }
        else if (vault.HostNameType != UriHostNameType.Dns || vault.AbsolutePath != "/" || vault.Query.Length > 0 || vault.UserInfo.Length > 0)
        {
            errors.Add($"{s}:VaultUri must be the vault's base URL, https://NAME.vault.azure.net/ (a host name, no path, query or user); got '{kv.VaultUri}'.");
        }

        if (kv.ManagedIdentityClientId.Length > 0 && !Guid.TryParse(kv.ManagedIdentityClientId, out _))
        {
            errors.Add($"{s}:ManagedIdentityClientId must be the client id (a GUID) of a user-assigned managed identity, or empty for the system-assigned one; got '{kv.ManagedIdentityClientId}'.");
        }
    }
}
