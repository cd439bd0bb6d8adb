using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace Pki.Core.Signing.Software;

/// <summary>
/// Keys in process memory. For unit tests only: it is never registered by configuration and never a
/// default, because its keys are not protected by any token.
/// </summary>
public sealed class SoftwareKeyManager : IKeyManager, IDisposable
{
    private readonly ConcurrentDictionary<KeyUri, (KeyAlgorithm Algorithm, AsymmetricAlgorithm Key)> _keys = new();

    public string Provider => KeyUri.SoftwareScheme;

    public Task<KeyDescription> CreateKeyAsync(CreateKeyRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        AsymmetricAlgorithm key = request.Algorithm switch
        {
            KeyAlgorithm.EcP256 => ECDsa.Create(ECCurve.NamedCurves.nistP256),
            KeyAlgorithm.EcP384 => ECDsa.Create(ECCurve.NamedCurves.nistP384),
            _ => RSA.Create(request.Algorithm.RsaBits()),
        };
        if (!_keys.TryAdd(request.KeyUri, (request.Algorithm, key)))
        {
            key.Dispose();
            throw new KeyAlreadyExistsException(request.KeyUri);
        }

        return Task.FromResult(Describe(request.KeyUri, request.Algorithm, key));
    }

    public Task<KeyDescription?> GetPublicKeyAsync(GetPublicKeyRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return Task.FromResult(_keys.TryGetValue(request.KeyUri, out var entry)
            ? Describe(request.KeyUri, entry.Algorithm, entry.Key)
            : null);
    }

    public Task<ISigner> CreateSignerAsync(CreateSignerRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!_keys.TryGetValue(request.KeyUri, out var entry))
        {
            throw new KeyNotFoundException($"Key {request.KeyUri} does not exist.");
        }

        if (!entry.Algorithm.Supports(request.Scheme))
        {
            throw new ArgumentException($"Scheme {request.Scheme} does not fit a {entry.Algorithm} key.", nameof(request));
        }

        return Task.FromResult<ISigner>(new SoftwareSigner(Describe(request.KeyUri, entry.Algorithm, entry.Key), request.Scheme, entry.Key));
    }

    private static KeyDescription Describe(KeyUri uri, KeyAlgorithm algorithm, AsymmetricAlgorithm key) =>
        new(uri, algorithm, key.ExportSubjectPublicKeyInfo());

    public void Dispose()
    {
        foreach (var entry in _keys.Values)
        {
            entry.Key.Dispose();
        }

        _keys.Clear();
    }

    private sealed class SoftwareSigner(KeyDescription key, SignatureScheme scheme, AsymmetricAlgorithm privateKey) : ISigner
    {
        public KeyDescription Key { get; } = key;

        public SignatureScheme Scheme { get; } = scheme;

        public byte[] Sign(ReadOnlySpan<byte> data) => Scheme switch
        {
            // Signed as raw r||s like an HSM would, then converted by the shared function.
            SignatureScheme.EcdsaSha256 => EcdsaSignatureEncoding.RawToDer(((ECDsa)privateKey).SignData(data, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation)),
            SignatureScheme.EcdsaSha384 => EcdsaSignatureEncoding.RawToDer(((ECDsa)privateKey).SignData(data, HashAlgorithmName.SHA384, DSASignatureFormat.IeeeP1363FixedFieldConcatenation)),
            SignatureScheme.RsaPkcs1Sha256 => ((RSA)privateKey).SignData(data, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1),
            SignatureScheme.RsaPssSha256 => ((RSA)privateKey).SignData(data, HashAlgorithmName.SHA256, RSASignaturePadding.Pss),
            _ => throw new NotSupportedException($"Scheme {Scheme} is not supported."),
        };
    }
}
