using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Pki.Core.Signing;
using Pki.Core.Signing.KeyVault;

namespace Pki.Core.Authority;

/// <summary>
/// Finds or creates the keys of the CA hierarchy (CA keys, OCSP responder keys) in the configured key store.
/// Any number of hosts share one key store: a key record in storage decides which key serves a label, so two
/// hosts starting at once never end up with two keys for one CA.
/// </summary>
public sealed class CaKeys(IKeyManager keys, IKeyRecordStore records, IOptions<PkiOptions> options, TimeProvider time, ILogger<CaKeys> logger)
{
    /// <summary>How long one host may take to create a key before another may take its claim over.</summary>
    public static readonly TimeSpan CreationLease = TimeSpan.FromSeconds(60);

    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(200);
    private readonly SigningOptions _signing = options.Value.Signing;
    private readonly string _holder = Guid.NewGuid().ToString("N");

    public string Provider => keys.Provider;

    /// <summary>
    /// The key recorded for this label; made when there is none. One host claims the label and creates (or adopts)
    /// the key while the others wait for its record. The returned description's URI is the one to record with a
    /// CA: Key Vault's names the key version.
    /// </summary>
    public async Task<KeyDescription> EnsureAsync(string label, KeyAlgorithm algorithm, CancellationToken cancellationToken = default)
    {
        while (true)
        {
            var record = await records.GetAsync(label, cancellationToken).ConfigureAwait(false);
            if (record?.KeyUri is { } recorded)
            {
                return await keys.GetPublicKeyAsync(new GetPublicKeyRequest(KeyUri.Parse(recorded)), cancellationToken).ConfigureAwait(false)
                    ?? throw new InvalidOperationException($"Key {recorded}, recorded for '{label}', is not in the key store.");
            }

            if (record?.LeaseUntil is { } leaseUntil && leaseUntil > time.GetUtcNow())
            {
                await Task.Delay(PollInterval, cancellationToken).ConfigureAwait(false);
                continue;
            }

            var claim = await records.TryClaimAsync(label, _holder, time.GetUtcNow() + CreationLease, record, cancellationToken).ConfigureAwait(false);
            if (claim is null)
            {
                continue;
            }

            var key = await FindOrCreateAsync(label, algorithm, cancellationToken).ConfigureAwait(false);
            if (await records.TryRecordKeyAsync(claim, key.KeyUri.ToString(), cancellationToken).ConfigureAwait(false))
            {
                logger.LogInformation("Recorded key {KeyUri} ({KeyAlgorithm}) for {KeyLabel}", key.KeyUri, key.Algorithm, label);
                return key;
            }

            // Slower than the lease: another host took the claim over and its key is the one recorded.
            logger.LogWarning("Key {KeyUri} for {KeyLabel} is unused: its creation outlasted the {Lease} claim and another host's key was recorded", key.KeyUri, label, CreationLease);
        }
    }

    private async Task<KeyDescription> FindOrCreateAsync(string label, KeyAlgorithm algorithm, CancellationToken cancellationToken)
    {
        var existing = await keys.GetPublicKeyAsync(new GetPublicKeyRequest(UriFor(label)), cancellationToken).ConfigureAwait(false);
        if (existing is not null)
        {
            logger.LogWarning("Using existing key {KeyUri} ({KeyAlgorithm}), made beforehand or by an earlier version", existing.KeyUri, existing.Algorithm);
            return existing;
        }

        // A PKCS#11 label names no key uniquely: each creation gets a label of its own, so a host that lost its claim
        // mid-creation can never add a second key under the recorded one's label. Key Vault gives every creation a
        // version of its own, and the recorded URI names it.
        var name = keys.Provider == SigningOptions.Pkcs11Provider ? label + "-" + RandomNumberGenerator.GetHexString(8, lowercase: true) : label;
        return await keys.CreateKeyAsync(new CreateKeyRequest(UriFor(name), algorithm), cancellationToken).ConfigureAwait(false);
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
