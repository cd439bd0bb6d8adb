using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.Pkcs;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Asn1.Sec;
using Org.BouncyCastle.Asn1.X9;
using Pki.Core.Errors;

namespace Pki.Core.Authority.Policy;

/// <summary>Subject keys: RSA of 2048 to 8192 bits with a sane exponent, or EC on P-256 or P-384.</summary>
public sealed class KeyRule : IIssuancePolicyRule
{
    public const int MinRsaBits = 2048;
    public const int MaxRsaBits = 8192;

    public void Check(IssuanceRequest request)
    {
        var spki = request.Csr.PublicKey;
        var oid = spki.Algorithm.Algorithm;
        if (oid.Equals(PkcsObjectIdentifiers.RsaEncryption))
        {
            var rsa = RsaPublicKeyStructure.GetInstance(spki.ParsePublicKey());
            var bits = rsa.Modulus.BitLength;
            if (bits < MinRsaBits)
            {
                throw ProblemException.Unprocessable("weak-key", $"The CSR's RSA key has {bits} bits; at least {MinRsaBits} are required.");
            }

            if (bits > MaxRsaBits)
            {
                throw ProblemException.Unprocessable("unsupported-key", $"The CSR's RSA key has {bits} bits; at most {MaxRsaBits} are accepted.");
            }

            if (!rsa.PublicExponent.TestBit(0) || rsa.PublicExponent.BitLength < 17)
            {
                throw ProblemException.Unprocessable("weak-key", "The CSR's RSA public exponent must be odd and at least 65537.");
            }

            return;
        }

        if (oid.Equals(X9ObjectIdentifiers.IdECPublicKey))
        {
            if (spki.Algorithm.Parameters is DerObjectIdentifier curve
                && (curve.Equals(SecObjectIdentifiers.SecP256r1) || curve.Equals(SecObjectIdentifiers.SecP384r1)))
            {
                return;
            }

            throw ProblemException.Unprocessable("unsupported-key", "The CSR's EC key is not on a named curve we accept; use P-256 or P-384.");
        }

        throw ProblemException.Unprocessable("unsupported-key", $"The CSR's key algorithm ({oid.Id}) is not accepted; use RSA (2048 bits or more) or EC P-256/P-384.");
    }
}
