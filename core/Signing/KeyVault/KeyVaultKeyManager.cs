using System.Security.Cryptography;
using Azure.Core;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Pki.Core.Signing.KeyVault;

/// <summary>
/// Keys in one Azure Key Vault (Premium, HSM-backed), addressed as <c>azurekms:vault=NAME;name=KEY[;version=V]</c>.
/// Keys are created non-exportable with sign/verify only; only digests go in and signatures come out.
/// Every key this manager describes carries its version, so a CA record pins the exact key version
/// its certificate was issued for, and a later rotation in the vault cannot change what a CA signs with.
/// </summary>
public sealed class KeyVaultKeyManager : IKeyManager
{
    private readonly KeyVaultKeysClient _client;
    private readonly ILogger<KeyVaultKeyManager> _logger;

    public KeyVaultKeyManager(IOptions<KeyVaultOptions> options, TokenCredential credential, ILogger<KeyVaultKeyManager> logger, KeyVaultKeysClientOptions? clientOptions = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _client = new KeyVaultKeysClient(new Uri(options.Value.VaultUri), credential, clientOptions);
        VaultName = KeyVaultOptions.VaultNameOf(_client.VaultUri);
        _logger = logger;
    }

    public string Provider => SigningOptions.KeyVaultProvider;

    /// <summary>The configured vault's name, as key URIs carry it.</summary>
    public string VaultName { get; }

    public Uri VaultUri => _client.VaultUri;

    public async Task<KeyDescription> CreateKeyAsync(CreateKeyRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var name = NameOf(request.KeyUri);
        if (request.KeyUri.GetAttribute("version") is not null)
        {
            throw new ArgumentException($"Key URI {request.KeyUri} names a version; Key Vault chooses versions, so a key to create is named without one.", nameof(request));
        }

        // Key Vault's create adds a version to an existing key instead of failing; our contract is to fail.
        // Two instances racing past this check each make a version; each pins its own, and one record wins.
        if (await _client.GetKeyAsync(name, version: null, cancellationToken).ConfigureAwait(false) is not null)
        {
            throw new KeyAlreadyExistsException(request.KeyUri);
        }

        var created = await _client.CreateKeyAsync(name, request.Algorithm, cancellationToken).ConfigureAwait(false);
        _logger.LogInformation("Created {KeyAlgorithm} key {KeyUri} ({KeyType}) in Key Vault {VaultUri}", request.Algorithm, Describe(created).KeyUri, created.KeyType, _client.VaultUri);
        return Describe(created);
    }

    public async Task<KeyDescription?> GetPublicKeyAsync(GetPublicKeyRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var key = await _client.GetKeyAsync(NameOf(request.KeyUri), request.KeyUri.GetAttribute("version"), cancellationToken).ConfigureAwait(false);
        return key is null ? null : Describe(key);
    }

    /// <summary>A signer pinned to the key version current now (or the one the URI names).</summary>
    public async Task<ISigner> CreateSignerAsync(CreateSignerRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var key = await _client.GetKeyAsync(NameOf(request.KeyUri), request.KeyUri.GetAttribute("version"), cancellationToken).ConfigureAwait(false)
            ?? throw new KeyNotFoundException($"Key {request.KeyUri} does not exist in Key Vault {_client.VaultUri}.");
        if (!key.Algorithm.Supports(request.Scheme))
        {
            throw new ArgumentException($"Scheme {request.Scheme} does not fit a {key.Algorithm} key.", nameof(request));
        }

        if (!key.CanSign)
        {
            throw new InvalidOperationException($"Key {request.KeyUri} in Key Vault {_client.VaultUri} does not allow the sign operation (key_ops: {string.Join(", ", key.Operations)}).");
        }

        return new KeyVaultSigner(_client, key, Describe(key), request.Scheme);
    }

    private KeyDescription Describe(KeyVaultKey key) =>
        new(KeyUri.AzureKms(VaultName, key.Name, key.Version), key.Algorithm, key.SubjectPublicKeyInfo);

    private string NameOf(KeyUri uri)
    {
        if (uri.Scheme != KeyUri.AzureKmsScheme)
        {
            throw new ArgumentException($"Key URI {uri} is not an azurekms URI.", nameof(uri));
        }

        if (!string.Equals(uri["vault"], VaultName, StringComparison.OrdinalIgnoreCase))
        {
            throw new ArgumentException($"Key URI {uri} names vault '{uri["vault"]}', but the configured vault is '{VaultName}' ({_client.VaultUri}).", nameof(uri));
        }

        return uri["name"];
    }

    /// <summary>
    /// Synchronous like <see cref="ISigner"/> (and the PKCS#11 signer): it signs through the pipeline's
    /// synchronous path, so no thread blocks on an async call. Throttling waits inside the retry policy.
    /// </summary>
    private sealed class KeyVaultSigner(KeyVaultKeysClient client, KeyVaultKey vaultKey, KeyDescription key, SignatureScheme scheme) : ISigner
    {
        public KeyDescription Key { get; } = key;

        public SignatureScheme Scheme { get; } = scheme;

        public byte[] Sign(ReadOnlySpan<byte> data)
        {
            var (algorithm, digest) = Scheme switch
            {
                SignatureScheme.EcdsaSha256 => ("ES256", SHA256.HashData(data)),
                SignatureScheme.EcdsaSha384 => ("ES384", SHA384.HashData(data)),
                SignatureScheme.RsaPkcs1Sha256 => ("RS256", SHA256.HashData(data)),
                SignatureScheme.RsaPssSha256 => ("PS256", SHA256.HashData(data)),
                _ => throw new NotSupportedException($"Scheme {Scheme} is not supported."),
            };
            var signature = client.Sign(vaultKey.Name, vaultKey.Version, algorithm, digest);
            if (!Key.Algorithm.IsEc())
            {
                return signature;
            }

            // Key Vault returns ECDSA as raw r||s, like CKM_ECDSA; X.509 wants DER.
            if (signature.Length != 2 * PublicKeys.FieldSizeBytes(Key.Algorithm))
            {
                throw new InvalidOperationException($"Key Vault returned a {signature.Length}-byte {algorithm} signature for {Key.KeyUri}; expected raw r||s.");
            }

            return EcdsaSignatureEncoding.RawToDer(signature);
        }
    }
}
