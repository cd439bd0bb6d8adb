using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.Pkcs;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Asn1.X9;
using Pki.Core.Errors;
using Pki.Core.Signing;

namespace Pki.Core.Authority.Policy;

/// <summary>
/// Subject keys: RSA of 2048 to 8192 bits with a sane exponent, or EC on P-256 or P-384. Unlike the
/// other rules it runs inside CSR parsing, before the signature is verified, so it is not in the rule list.
/// </summary>
public static class KeyRule
{
    public const int MinRsaBits = 2048;
    public const int MaxRsaBits = 8192;

    /// <summary>RSA public exponents above this are refused: 65537 is the norm, and huge ones make verification slow.</summary>
    public const int MaxRsaExponentBits = 32;

    public static void CheckKey(SubjectPublicKeyInfo spki)
    {
        var oid = spki.Algorithm.Algorithm;
        if (oid.Equals(PkcsObjectIdentifiers.RsaEncryption))
        {
            RsaPublicKeyStructure rsa;
            try
            {
                rsa = RsaPublicKeyStructure.GetInstance(spki.ParsePublicKey());
            }
            catch (Exception e) when (e is ArgumentException or IOException or InvalidCastException)
            {
                throw ProblemException.BadRequest("csr-malformed", "The CSR's RSA public key is not a valid RSAPublicKey structure.");
            }

            var bits = rsa.Modulus.BitLength;
            if (bits < MinRsaBits)
            {
                throw ProblemException.Unprocessable("weak-key", $"The CSR's RSA key has {bits} bits; at least {MinRsaBits} are required.");
            }

            if (bits > MaxRsaBits)
            {
                throw ProblemException.Unprocessable("unsupported-key", $"The CSR's RSA key has {bits} bits; at most {MaxRsaBits} are accepted.");
            }

            if (!rsa.PublicExponent.TestBit(0) || rsa.PublicExponent.BitLength < 17 || rsa.PublicExponent.BitLength > MaxRsaExponentBits)
            {
                throw ProblemException.Unprocessable("weak-key", "The CSR's RSA public exponent must be odd, at least 65537 and at most 2^32 - 1.");
            }

            return;
        }

        if (oid.Equals(X9ObjectIdentifiers.IdECPublicKey))
        {
            if (spki.Algorithm.Parameters is DerObjectIdentifier curve && PublicKeys.AlgorithmOfCurve(curve) is not null)
            {
                return;
            }

            throw ProblemException.Unprocessable("unsupported-key", "The CSR's EC key is not on a named curve we accept; use P-256 or P-384.");
        }

        throw ProblemException.Unprocessable("unsupported-key", $"The CSR's key algorithm ({oid.Id}) is not accepted; use RSA (2048 bits or more) or EC P-256/P-384.");
    }
}
