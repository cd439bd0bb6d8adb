using Microsoft.Extensions.Options;
using Pki.Core;
using Pki.Core.Authority;
using Pki.Core.Signing;
using Pki.Core.Signing.Software;
using Pki.Tests.Infrastructure;

namespace Pki.Tests.Unit;

/// <summary>The BouncyCastle builders with each signature scheme, judged by openssl -x509_strict.</summary>
public sealed class CertificateFactoryTests
{
    public static TheoryData<KeyAlgorithm, KeyAlgorithm, SignatureScheme, string> Hierarchies => new()
    {
        { KeyAlgorithm.EcP384, KeyAlgorithm.EcP256, SignatureScheme.EcdsaSha256, "ecdsa-with-SHA256" },
        { KeyAlgorithm.EcP256, KeyAlgorithm.EcP384, SignatureScheme.EcdsaSha384, "ecdsa-with-SHA384" },
        { KeyAlgorithm.Rsa3072, KeyAlgorithm.Rsa2048, SignatureScheme.RsaPkcs1Sha256, "sha256WithRSAEncryption" },
        { KeyAlgorithm.Rsa2048, KeyAlgorithm.Rsa3072, SignatureScheme.RsaPssSha256, "rsassaPss" },
    };

    [Theory]
    [MemberData(nameof(Hierarchies))]
    public async Task Root_issuing_and_leaf_verify_strictly_for_each_scheme(KeyAlgorithm rootAlgorithm, KeyAlgorithm issuingAlgorithm, SignatureScheme issuingScheme, string opensslName)
    {
        using var keys = new SoftwareKeyManager();
        var factory = new CertificateFactory(new CaUrls(Options.Create(new PkiOptions { PublicBaseUrl = "http://pki.test" })));
        var now = new DateTimeOffset(2026, 11, 27, 8, 0, 0, TimeSpan.Zero);

        var rootKey = await keys.CreateKeyAsync(new CreateKeyRequest(KeyUri.Software("root"), rootAlgorithm));
        var rootSigner = await keys.CreateSignerAsync(new CreateSignerRequest(rootKey.KeyUri, rootAlgorithm.DefaultScheme()));
        var rootCert = factory.CreateRoot(rootSigner, "CN=Test Root", SerialNumbers.New(), now.AddMinutes(-5), now.AddYears(10));
        var root = new CertificateAuthority("root", CaRole.Root, "CN=Test Root", rootCert.GetEncoded(), null, now.AddYears(10), rootKey.KeyUri, "software", rootSigner.Scheme);

        var issuingKey = await keys.CreateKeyAsync(new CreateKeyRequest(KeyUri.Software("issuing"), issuingAlgorithm));
        var issuingCert = factory.CreateIssuing(root, rootSigner, issuingKey.SubjectPublicKeyInfo, "CN=Test Issuing", SerialNumbers.New(), now.AddMinutes(-5), now.AddYears(5));
        var issuing = new CertificateAuthority("issuing", CaRole.Issuing, "CN=Test Issuing", issuingCert.GetEncoded(), "root", now.AddYears(5), issuingKey.KeyUri, "software", issuingScheme);
        var issuingSigner = await keys.CreateSignerAsync(new CreateSignerRequest(issuingKey.KeyUri, issuingScheme));

        var csr = CsrParser.Parse(Csrs.Ec("web.internal", ["web.internal"]));
        var leaf = factory.CreateLeaf(issuing, issuingSigner, new LeafTemplate(
            SerialNumbers.New(), new CertificateProfile("tls-server", Org.BouncyCastle.Asn1.X509.KeyPurposeID.id_kp_serverAuth, true, 47),
            csr.PublicKey, "web.internal", csr.DnsNames, csr.IpAddresses, now.AddMinutes(-5), now.AddDays(47)));

        using var ssl = new Openssl();
        var rootPem = ssl.Write("root.pem", Pem.Certificate(rootCert.GetEncoded()));
        var chainPem = ssl.Write("chain.pem", Pem.Certificate(issuingCert.GetEncoded()));
        var leafPem = ssl.Write("leaf.pem", Pem.Certificate(leaf.GetEncoded()));
        var atTime = (now.ToUnixTimeSeconds() + 60).ToString(System.Globalization.CultureInfo.InvariantCulture);

        var verify = Openssl.Run("verify", "-x509_strict", "-attime", atTime, "-CAfile", rootPem, "-untrusted", chainPem, leafPem);
        Assert.True(verify.ExitCode == 0, verify.Stderr + verify.Stdout);
        Assert.Contains($"Signature Algorithm: {opensslName}", Openssl.Run("x509", "-in", leafPem, "-noout", "-text").EnsureSuccess().Stdout);

        // Past notAfter the same chain is refused: the validity we wrote is the validity openssl reads.
        var expired = Openssl.Run("verify", "-x509_strict", "-attime", now.AddDays(48).ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture), "-CAfile", rootPem, "-untrusted", chainPem, leafPem);
        Assert.NotEqual(0, expired.ExitCode);
        Assert.Contains("certificate has expired", expired.Stdout + expired.Stderr);
    }
}
