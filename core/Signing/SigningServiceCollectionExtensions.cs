using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Azure.Core;
using Azure.Identity;
using Pki.Core.Signing.KeyVault;
using Pki.Core.Signing.Pkcs11;

namespace Pki.Core.Signing;

public static class SigningServiceCollectionExtensions
{
    /// <summary>Registers the CA key store the configuration names (PKCS#11 or Key Vault) and the identity that reaches Key Vault; called by <see cref="PkiServiceCollectionExtensions.AddPkiCore"/>.</summary>
    public static IServiceCollection AddPkiSigning(this IServiceCollection services)
    {
        services.AddSingleton<IOptions<Pkcs11Options>>(sp => Options.Create(sp.GetRequiredService<IOptions<PkiOptions>>().Value.Signing.Pkcs11));
        services.AddSingleton<IOptions<KeyVaultOptions>>(sp => Options.Create(sp.GetRequiredService<IOptions<PkiOptions>>().Value.Signing.KeyVault));

        // The CA keys live in the store the configuration names; the validator has refused any other name.
        services.TryAddSingleton<IKeyManager>(sp => sp.GetRequiredService<IOptions<PkiOptions>>().Value.Signing.Provider switch
        {
            SigningOptions.KeyVaultProvider => new KeyVaultKeyManager(
                sp.GetRequiredService<IOptions<KeyVaultOptions>>(),
                sp.GetRequiredService<TokenCredential>(),
                sp.GetRequiredService<ILogger<KeyVaultKeyManager>>()),
            _ => ActivatorUtilities.CreateInstance<Pkcs11KeyManager>(sp),
        });

        // Key Vault keys sign, and discovery reads vaults, as the app's identity (managed identity in Azure; a user-assigned
        // one is chosen by Pki:Signing:KeyVault:ManagedIdentityClientId); tests and the dev host may register another first.
        services.TryAddSingleton<TokenCredential>(sp => sp.GetRequiredService<IOptions<PkiOptions>>().Value.Signing.KeyVault.ManagedIdentityClientId is { Length: > 0 } clientId
            ? new DefaultAzureCredential(new DefaultAzureCredentialOptions { ManagedIdentityClientId = clientId })
            : new DefaultAzureCredential());
        return services;
    }
}
