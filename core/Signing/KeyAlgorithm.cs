namespace Pki.Core.Signing;

/// <summary>Key types a CA key may have; each is generated inside the key store.</summary>
public enum KeyAlgorithm
{
    EcP256,
    EcP384,
    Rsa2048,
    Rsa3072,
}
