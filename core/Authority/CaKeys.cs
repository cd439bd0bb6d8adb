using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Pki.Core.Signing;

namespace Pki.Core.Authority;

/// <summary>Finds or creates the keys of the CA hierarchy (CA keys, OCSP responder keys) in the configured key store.</summary>
public sealed class CaKeys(IKeyManager keys, IOptions<PkiOptions> options, ILogger<CaKeys> logger)
{
    private readonly string _token = options.Value.Signing.Pkcs11.TokenLabel;

    public string Provider => keys.Provider;

    /// <summary>The key with this label; created when absent. A key left behind by a crash, or made by a racing instance, is reused.</summary>
    public async Task<KeyDescription> EnsureAsync(string label, KeyAlgorithm algorithm, CancellationToken cancellationToken = default)
    {
        var uri = keys.Provider == KeyUri.Pkcs11Scheme ? KeyUri.Pkcs11(_token, label) : KeyUri.Software(label);
        var existing = await keys.GetPublicKeyAsync(new GetPublicKeyRequest(uri), cancellationToken).ConfigureAwait(false);
        if (existing is not null)
        {
            logger.LogWarning("Reusing existing key {KeyUri} ({KeyAlgorithm}) whose record was missing", uri, existing.Algorithm);
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

    /// <summary>The public key of an existing key, or null.</summary>
    public Task<KeyDescription?> FindAsync(KeyUri uri, CancellationToken cancellationToken = default) =>
        keys.GetPublicKeyAsync(new GetPublicKeyRequest(uri), cancellationToken);

    public Task<ISigner> CreateSignerAsync(KeyUri uri, SignatureScheme scheme, CancellationToken cancellationToken = default) =>
        keys.CreateSignerAsync(new CreateSignerRequest(uri, scheme), cancellationToken);
}
