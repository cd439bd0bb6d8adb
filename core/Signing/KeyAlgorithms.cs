namespace Pki.Core.Signing;

/// <summary>Facts about key algorithms and the signature schemes they can use.</summary>
public static class KeyAlgorithms
{
    public static bool IsEc(this KeyAlgorithm algorithm) => algorithm is KeyAlgorithm.EcP256 or KeyAlgorithm.EcP384;

    public static int RsaBits(this KeyAlgorithm algorithm) => algorithm switch
    {
        KeyAlgorithm.Rsa2048 => 2048,
        KeyAlgorithm.Rsa3072 => 3072,
        _ => throw new ArgumentOutOfRangeException(nameof(algorithm), algorithm, "Not an RSA key algorithm."),
    };

    /// <summary>The scheme a CA uses unless configured otherwise: the hash matches the curve strength.</summary>
    public static SignatureScheme DefaultScheme(this KeyAlgorithm algorithm) => algorithm switch
    {
        KeyAlgorithm.EcP256 => SignatureScheme.EcdsaSha256,
        KeyAlgorithm.EcP384 => SignatureScheme.EcdsaSha384,
        KeyAlgorithm.Rsa2048 or KeyAlgorithm.Rsa3072 => SignatureScheme.RsaPkcs1Sha256,
        _ => throw new ArgumentOutOfRangeException(nameof(algorithm), algorithm, "Unknown key algorithm."),
    };

    public static bool Supports(this KeyAlgorithm algorithm, SignatureScheme scheme) => scheme switch
    {
        SignatureScheme.EcdsaSha256 or SignatureScheme.EcdsaSha384 => algorithm.IsEc(),
        SignatureScheme.RsaPkcs1Sha256 or SignatureScheme.RsaPssSha256 => !algorithm.IsEc(),
        _ => false,
    };
}
