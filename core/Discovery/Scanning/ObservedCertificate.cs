using System.Security.Cryptography;
using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Tls;
using Org.BouncyCastle.Tls.Crypto;
using Org.BouncyCastle.Tls.Crypto.Impl.BC;
using BcKeyUsage = Org.BouncyCastle.Asn1.X509.KeyUsage;

namespace Pki.Core.Discovery.Scanning;

/// <summary>
/// A server certificate whose TLS 1.3 CertificateVerify signature (ECDSA P-256/384/521, RSA-PSS) is checked
/// by .NET's platform crypto instead of BouncyCastle's managed EC arithmetic, which took a quarter of a
/// scan's CPU and most of its allocations. Same checks, same answer; other schemes go to BouncyCastle.
/// </summary>
internal sealed class ObservedCertificate(BcTlsCrypto crypto, byte[] encoding) : BcTlsCertificate(crypto, encoding)
{
    public override Tls13Verifier CreateVerifier(int signatureScheme)
    {
        switch (signatureScheme)
        {
            case SignatureScheme.ecdsa_secp256r1_sha256:
                return Ecdsa(signatureScheme, 256, HashAlgorithmName.SHA256);
            case SignatureScheme.ecdsa_secp384r1_sha384:
                return Ecdsa(signatureScheme, 384, HashAlgorithmName.SHA384);
            case SignatureScheme.ecdsa_secp521r1_sha512:
                return Ecdsa(signatureScheme, 521, HashAlgorithmName.SHA512);
            case SignatureScheme.rsa_pss_rsae_sha256:
                return RsaPss(signatureScheme, HashAlgorithmName.SHA256);
            case SignatureScheme.rsa_pss_rsae_sha384:
                return RsaPss(signatureScheme, HashAlgorithmName.SHA384);
            case SignatureScheme.rsa_pss_rsae_sha512:
                return RsaPss(signatureScheme, HashAlgorithmName.SHA512);
            default:
                return base.CreateVerifier(signatureScheme);
        }
    }

    private Tls13Verifier Ecdsa(int signatureScheme, int curveBits, HashAlgorithmName hash)
    {
        ValidateKeyUsage(BcKeyUsage.DigitalSignature);
        var key = ECDsa.Create();
        try
        {
            key.ImportSubjectPublicKeyInfo(SubjectPublicKeyInfo.GetEncoded(Asn1Encodable.Der), out _);
            if (key.KeySize == curveBits)
            {
                return new Verifier(key, (k, data, signature) => ((ECDsa)k).VerifyData(data, signature, hash, DSASignatureFormat.Rfc3279DerSequence));
            }
        }
        catch (CryptographicException)
        {
            // Not an EC key .NET can import: BouncyCastle decides.
        }

        key.Dispose();
        return base.CreateVerifier(signatureScheme);
    }

    private Tls13Verifier RsaPss(int signatureScheme, HashAlgorithmName hash)
    {
        ValidateRsa_Pss_Rsae();
        ValidateKeyUsage(BcKeyUsage.DigitalSignature);
        var key = RSA.Create();
        try
        {
            key.ImportSubjectPublicKeyInfo(SubjectPublicKeyInfo.GetEncoded(Asn1Encodable.Der), out _);
            return new Verifier(key, (k, data, signature) => ((RSA)k).VerifyData(data, signature, hash, RSASignaturePadding.Pss));
        }
        catch (CryptographicException)
        {
            key.Dispose();
            return base.CreateVerifier(signatureScheme);
        }
    }

    /// <summary>Collects what BouncyCastle writes (the TLS 1.3 signature context and transcript hash), then verifies once.</summary>
    private sealed class Verifier(AsymmetricAlgorithm key, Func<AsymmetricAlgorithm, ReadOnlySpan<byte>, byte[], bool> verify) : Tls13Verifier
    {
        private readonly MemoryStream _signed = new();

        public Stream Stream => _signed;

        public bool VerifySignature(byte[] signature)
        {
            using (key)
            {
                try
                {
                    // BouncyCastle closes the stream before asking; ToArray still works on a closed MemoryStream.
                    return verify(key, _signed.ToArray(), signature);
                }
                catch (CryptographicException)
                {
                    return false;
                }
            }
        }
    }
}
