namespace Pki.Core.Signing;

/// <summary>
/// The one signing seam, in the spirit of step-ca's KeyManager: keys are created inside the store,
/// never exported, and used through signers. Every method takes a request record.
/// </summary>
public interface IKeyManager
{
    /// <summary>Provider name recorded with each CA ("pkcs11", "keyvault", "software").</summary>
    string Provider { get; }

    /// <summary>Creates a non-exportable key pair; fails if a key with that URI already exists.</summary>
    Task<KeyDescription> CreateKeyAsync(CreateKeyRequest request, CancellationToken cancellationToken = default);

    /// <summary>The public half of an existing key, or null when the store has no such key.</summary>
    Task<KeyDescription?> GetPublicKeyAsync(GetPublicKeyRequest request, CancellationToken cancellationToken = default);

    Task<ISigner> CreateSignerAsync(CreateSignerRequest request, CancellationToken cancellationToken = default);
}

public sealed record CreateKeyRequest(KeyUri KeyUri, KeyAlgorithm Algorithm);

public sealed record GetPublicKeyRequest(KeyUri KeyUri);

public sealed record CreateSignerRequest(KeyUri KeyUri, SignatureScheme Scheme);

/// <summary>A key's address, type and DER SubjectPublicKeyInfo.</summary>
public sealed record KeyDescription(KeyUri KeyUri, KeyAlgorithm Algorithm, byte[] SubjectPublicKeyInfo);
