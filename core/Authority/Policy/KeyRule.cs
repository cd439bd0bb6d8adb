using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.Pkcs;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Asn1.X9;
using Org.BouncyCastle.Crypto.EC;
using Org.BouncyCastle.Math;
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

    /// <summary>The product of the odd primes below 1000: one gcd finds a modulus any of them divides.</summary>
    private static readonly BigInteger SmallPrimesProduct = Enumerable.Range(3, 997)
        .Where(IsOddPrime)
        .Aggregate(BigInteger.One, (product, prime) => product.Multiply(BigInteger.ValueOf(prime)));

    /// <summary>
    /// Checks the key and returns it as a certificate carries it: rsaEncryption with NULL parameters, or the named
    /// curve with the uncompressed point. A CSR's own encoding (absent or odd RSA parameters, a compressed point)
    /// is never copied, as some relying parties (GnuTLS) cannot read it. Only cheap arithmetic runs here.
    /// </summary>
    public static SubjectPublicKeyInfo CheckKey(SubjectPublicKeyInfo spki)
    {
        ArgumentNullException.ThrowIfNull(spki);
        var oid = spki.Algorithm.Algorithm;
        if (oid.Equals(PkcsObjectIdentifiers.RsaEncryption))
        {
            return CheckRsa(spki);
        }

        if (oid.Equals(X9ObjectIdentifiers.IdECPublicKey))
        {
            return CheckEc(spki);
        }

        throw ProblemException.Unprocessable("unsupported-key", $"The CSR's key algorithm ({oid.Id}) is not accepted; use RSA (2048 bits or more) or EC P-256/P-384.");
    }

    private static SubjectPublicKeyInfo CheckRsa(SubjectPublicKeyInfo spki)
    {
        RsaPublicKeyStructure rsa;
        try
        {
            rsa = RsaPublicKeyStructure.GetInstance(spki.ParsePublicKey());
        }
        catch (Exception e) when (e is ArgumentException or IOException or InvalidCastException or InvalidOperationException)
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

        // Anyone can factor such a modulus; no primality test (what made BouncyCastle's key cost a second at 8192 bits).
        if (!rsa.Modulus.TestBit(0) || !rsa.Modulus.Gcd(SmallPrimesProduct).Equals(BigInteger.One))
        {
            throw ProblemException.Unprocessable("weak-key", "The CSR's RSA modulus has a small prime factor; anyone could factor it.");
        }

        return new SubjectPublicKeyInfo(new AlgorithmIdentifier(PkcsObjectIdentifiers.RsaEncryption, DerNull.Instance), rsa);
    }

    private static SubjectPublicKeyInfo CheckEc(SubjectPublicKeyInfo spki)
    {
        if (spki.Algorithm.Parameters is not DerObjectIdentifier curve || PublicKeys.AlgorithmOfCurve(curve) is null)
        {
            throw ProblemException.Unprocessable("unsupported-key", "The CSR's EC key is not on a named curve we accept; use P-256 or P-384.");
        }

        Org.BouncyCastle.Math.EC.ECPoint point;
        try
        {
            // Decoding checks the point lies on the curve; a compressed point is expanded here.
            point = CustomNamedCurves.GetByOid(curve).Curve.DecodePoint(spki.PublicKey.GetOctets());
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or FormatException)
        {
            throw ProblemException.BadRequest("csr-malformed", "The CSR's EC public key is not a point on its curve.");
        }

        if (point.IsInfinity || !point.IsValid())
        {
            throw ProblemException.BadRequest("csr-malformed", "The CSR's EC public key is not a point on its curve.");
        }

        return new SubjectPublicKeyInfo(new AlgorithmIdentifier(X9ObjectIdentifiers.IdECPublicKey, curve), point.GetEncoded(compressed: false));
    }

    private static bool IsOddPrime(int n)
    {
        if (n % 2 == 0)
        {
            return false;
        }

        for (var d = 3; d * d <= n; d += 2)
        {
            if (n % d == 0)
            {
                return false;
            }
        }

        return true;
    }
}
