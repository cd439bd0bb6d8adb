namespace Pki.Core.Signing;

/// <summary>How a signer turns data into an X.509 signature value.</summary>
public enum SignatureScheme
{
    EcdsaSha256,
    EcdsaSha384,
    RsaPkcs1Sha256,
    RsaPssSha256,
}
