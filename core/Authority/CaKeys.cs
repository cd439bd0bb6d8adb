using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Pki.Core.Signing;
using Pki.Core.Signing.KeyVault;

namespace Pki.Core.Authority;

/// <summary>Finds or creates the keys of the CA hierarchy (CA keys, OCSP responder keys) in the configured key store.</summary>
public sealed class CaKeys(IKeyManager keys, IOptions<PkiOptions> options, ILogger<CaKeys> logger)
{
    private readonly SigningOptions _signing = options.Value.Signing;

    public string Provider => keys.Provider;

    /// <summary>
    /// The key with this label; created when absent. A key made beforehand (by the deployment, in Key Vault),
    /// left behind by a crash, or made by a racing instance is reused. The returned description's URI is the
    /// one to record: Key Vault's names the key version.
    /// </summary>
    public async Task<KeyDescription> EnsureAsync(string label, KeyAlgorithm algorithm, CancellationToken cancellationToken = default)
    {
        var uri = UriFor(label);
        var existing = await keys.GetPublicKeyAsync(new GetPublicKeyRequest(uri), cancellationToken).ConfigureAwait(false);
        if (existing is not null)
        {
            logger.LogWarning("Using existing key {KeyUri} ({KeyAlgorithm}), made beforehand or by an earlier attempt", existing.KeyUri, existing.Algorithm);
            return existing;
        }

        try
        {
            return await keys.CreateKeyAsync(new CreateKeyRequest(uri, algorithm), cancellationToken).ConfigureAwait(false);
        }
        catch (KeyAlreadyExistsException)
        {
            // Another instance created it between our look-up and our create; use theirs.
            return await keys.GetPublicKeyAsync(new GetPublicKeyRequest(uri), cancellationToken).ConfigureAwait(false)
                ?? throw new InvalidOperationException($"Key {uri} was reported to exist but cannot be read.");
        }
    }

    private KeyUri UriFor(string label) => keys.Provider switch
    {
        SigningOptions.Pkcs11Provider => KeyUri.Pkcs11(_signing.Pkcs11.TokenLabel, label),
        SigningOptions.KeyVaultProvider => KeyUri.AzureKms(KeyVaultOptions.VaultNameOf(new Uri(_signing.KeyVault.VaultUri)), label),
        _ => KeyUri.Software(label),
    };

    /// <summary>The public key of an existing key, or null.</summary>
    public Task<KeyDescription?> FindAsync(KeyUri uri, CancellationToken cancellationToken = default) =>
        keys.GetPublicKeyAsync(new GetPublicKeyRequest(uri), cancellationToken);

    public Task<ISigner> CreateSignerAsync(KeyUri uri, SignatureScheme scheme, CancellationToken cancellationToken = default) =>
        keys.CreateSignerAsync(new CreateSignerRequest(uri, scheme), cancellationToken);
}
