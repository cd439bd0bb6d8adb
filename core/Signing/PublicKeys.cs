using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.Pkcs;
using Org.BouncyCastle.Asn1.Sec;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Asn1.X9;

namespace Pki.Core.Signing;

/// <summary>Builds and reads DER SubjectPublicKeyInfo for the key algorithms we support.</summary>
public static class PublicKeys
{
    public static DerObjectIdentifier CurveOid(KeyAlgorithm algorithm) => algorithm switch
    {
        KeyAlgorithm.EcP256 => SecObjectIdentifiers.SecP256r1,
        KeyAlgorithm.EcP384 => SecObjectIdentifiers.SecP384r1,
        _ => throw new ArgumentOutOfRangeException(nameof(algorithm), algorithm, "Not an EC key algorithm."),
    };

    /// <summary>The EC key algorithm of a named curve, or null for a curve we do not support.</summary>
    public static KeyAlgorithm? AlgorithmOfCurve(DerObjectIdentifier curve) =>
        curve.Equals(SecObjectIdentifiers.SecP256r1) ? KeyAlgorithm.EcP256
        : curve.Equals(SecObjectIdentifiers.SecP384r1) ? KeyAlgorithm.EcP384
        : null;

    public static int FieldSizeBytes(KeyAlgorithm algorithm) => algorithm switch
    {
        KeyAlgorithm.EcP256 => 32,
        KeyAlgorithm.EcP384 => 48,
        _ => throw new ArgumentOutOfRangeException(nameof(algorithm), algorithm, "Not an EC key algorithm."),
    };

    public static byte[] FromEcPoint(KeyAlgorithm algorithm, byte[] uncompressedPoint)
    {
        var expected = 1 + (2 * FieldSizeBytes(algorithm));
        if (uncompressedPoint.Length != expected || uncompressedPoint[0] != 0x04)
        {
            throw new ArgumentException($"Expected an uncompressed point of {expected} bytes.", nameof(uncompressedPoint));
        }

        var algId = new AlgorithmIdentifier(X9ObjectIdentifiers.IdECPublicKey, CurveOid(algorithm));
        return new SubjectPublicKeyInfo(algId, uncompressedPoint).GetDerEncoded();
    }

    public static byte[] FromRsa(byte[] modulus, byte[] exponent)
    {
        var key = new RsaPublicKeyStructure(
            new Org.BouncyCastle.Math.BigInteger(1, modulus),
            new Org.BouncyCastle.Math.BigInteger(1, exponent));
        var algId = new AlgorithmIdentifier(PkcsObjectIdentifiers.RsaEncryption, DerNull.Instance);
        return new SubjectPublicKeyInfo(algId, key).GetDerEncoded();
    }

    /// <summary>The key algorithm of an SPKI, or null when it is none we create.</summary>
    public static KeyAlgorithm? Identify(byte[] subjectPublicKeyInfo)
    {
        var spki = SubjectPublicKeyInfo.GetInstance(subjectPublicKeyInfo);
        var oid = spki.Algorithm.Algorithm;
        if (oid.Equals(X9ObjectIdentifiers.IdECPublicKey) && spki.Algorithm.Parameters is DerObjectIdentifier curve)
        {
            return AlgorithmOfCurve(curve);
        }

        if (oid.Equals(PkcsObjectIdentifiers.RsaEncryption))
        {
            var rsa = RsaPublicKeyStructure.GetInstance(spki.ParsePublicKey());
            return rsa.Modulus.BitLength switch
            {
                2048 => KeyAlgorithm.Rsa2048,
                3072 => KeyAlgorithm.Rsa3072,
                _ => null,
            };
        }

        return null;
    }
}
