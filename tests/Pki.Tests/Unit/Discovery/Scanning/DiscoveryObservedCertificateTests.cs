using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Org.BouncyCastle.Security;
using SignatureScheme = Org.BouncyCastle.Tls.SignatureScheme;
using Org.BouncyCastle.Tls.Crypto.Impl.BC;
using Pki.Core.Discovery.Scanning;

namespace Pki.Tests.Unit.Discovery.Scanning;

public sealed class DiscoveryObservedCertificateTests
{
    private static readonly byte[] Signed = RandomNumberGenerator.GetBytes(130);

    public static TheoryData<string, int> Schemes => new()
    {
        { "ec:P-256", SignatureScheme.ecdsa_secp256r1_sha256 },
        { "ec:P-384", SignatureScheme.ecdsa_secp384r1_sha384 },
        { "ec:P-521", SignatureScheme.ecdsa_secp521r1_sha512 },
        { "rsa:2048", SignatureScheme.rsa_pss_rsae_sha256 },
        { "rsa:2048", SignatureScheme.rsa_pss_rsae_sha384 },
        { "rsa:3072", SignatureScheme.rsa_pss_rsae_sha512 },
    };

    [Theory]
    [MemberData(nameof(Schemes))]
    public void A_TLS_13_signature_by_the_certificates_key_verifies_as_with_BouncyCastle(string key, int scheme)
    {
        var (certificate, sign) = Certificate(key);
        var signature = sign(Signed, scheme);

        Assert.True(Verify(Observed(certificate), scheme, Signed, signature));
        Assert.True(Verify(new BcTlsCertificate(Crypto, certificate), scheme, Signed, signature));
    }

    [Theory]
    [MemberData(nameof(Schemes))]
    public void A_signature_over_other_content_does_not_verify(string key, int scheme)
    {
        var (certificate, sign) = Certificate(key);
        var other = (byte[])Signed.Clone();
        other[^1] ^= 1;

        Assert.False(Verify(Observed(certificate), scheme, other, sign(Signed, scheme)));
    }

    [Fact]
    public void A_key_on_another_curve_than_the_scheme_names_is_left_to_BouncyCastle()
    {
        var (certificate, sign) = Certificate("ec:P-384");
        var signature = sign(Signed, SignatureScheme.ecdsa_secp256r1_sha256);

        Assert.Equal(
            Outcome(() => Verify(new BcTlsCertificate(Crypto, certificate), SignatureScheme.ecdsa_secp256r1_sha256, Signed, signature)),
            Outcome(() => Verify(Observed(certificate), SignatureScheme.ecdsa_secp256r1_sha256, Signed, signature)));
    }

    private static BcTlsCrypto Crypto => new(new SecureRandom());

    private static ObservedCertificate Observed(byte[] certificate) => new(Crypto, certificate);

    private static string Outcome(Func<bool> verify)
    {
        try
        {
            return verify().ToString();
        }
        catch (Exception e)
        {
            return e.GetType().Name;
        }
    }

    private static bool Verify(BcTlsCertificate certificate, int scheme, byte[] content, byte[] signature)
    {
        // As BouncyCastle does: write the signed content, close the stream, then verify.
        var verifier = certificate.CreateVerifier(scheme);
        using (var stream = verifier.Stream)
        {
            stream.Write(content);
        }

        return verifier.VerifySignature(signature);
    }

    private static (byte[] Der, Func<byte[], int, byte[]> Sign) Certificate(string key)
    {
        var (kind, size) = (key.Split(':')[0], key.Split(':')[1]);
        var now = DateTimeOffset.UtcNow;
        if (kind == "ec")
        {
            var curve = size switch { "P-256" => ECCurve.NamedCurves.nistP256, "P-384" => ECCurve.NamedCurves.nistP384, _ => ECCurve.NamedCurves.nistP521 };
            var ec = ECDsa.Create(curve);
            var request = new CertificateRequest("CN=observed.test", ec, HashAlgorithmName.SHA256);
            using var cert = request.CreateSelfSigned(now.AddDays(-1), now.AddDays(1));
            return (cert.RawData, (data, scheme) => ec.SignData(data, Hash(scheme), DSASignatureFormat.Rfc3279DerSequence));
        }

        var rsa = RSA.Create(int.Parse(size, System.Globalization.CultureInfo.InvariantCulture));
        var rsaRequest = new CertificateRequest("CN=observed.test", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var rsaCert = rsaRequest.CreateSelfSigned(now.AddDays(-1), now.AddDays(1));
        return (rsaCert.RawData, (data, scheme) => rsa.SignData(data, Hash(scheme), RSASignaturePadding.Pss));
    }

    private static HashAlgorithmName Hash(int scheme) => scheme switch
    {
        SignatureScheme.ecdsa_secp256r1_sha256 or SignatureScheme.rsa_pss_rsae_sha256 => HashAlgorithmName.SHA256,
        SignatureScheme.ecdsa_secp384r1_sha384 or SignatureScheme.rsa_pss_rsae_sha384 => HashAlgorithmName.SHA384,
        _ => HashAlgorithmName.SHA512,
    };
}
