using System.Diagnostics;
using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using Pki.Core;
using Pki.Core.Authority;
using Pki.Core.Signing;
using Pki.Core.Signing.Software;
using Pki.Tests.Infrastructure;

namespace Pki.Tests.Unit.Authority;

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

    public static TheoryData<string> OddKeyEncodings => new() { "ec-compressed-point", "rsa-absent-parameters" };

    /// <summary>A CSR's own key encoding is never copied: GnuTLS cannot read a compressed point or odd RSA parameters.</summary>
    [Theory]
    [MemberData(nameof(OddKeyEncodings))]
    public async Task Leaf_carries_the_key_in_its_canonical_encoding_which_gnutls_reads(string encoding)
    {
        using var ssl = new Openssl();
        using var rsa = RSA.Create(2048);
        byte[] csr;
        if (encoding == "ec-compressed-point")
        {
            var compressed = ssl.PathOf("compressed.key");
            Openssl.Run("ec", "-in", ssl.NewKey("ec.key", "ec:P-256"), "-conv_form", "compressed", "-out", compressed).EnsureSuccess();
            csr = Convert.FromBase64String(string.Concat(ssl.NewCsr(compressed, "/CN=web.internal", null).Split('\n').Where(l => !l.StartsWith("-----", StringComparison.Ordinal))));
        }
        else
        {
            csr = CsrParserTests.RsaCsrWithAbsentParameters(rsa);
        }

        // The key exactly as the CSR wrote it, so the factory's own re-encoding is what is judged.
        var requested = new Org.BouncyCastle.Pkcs.Pkcs10CertificationRequest(csr).GetCertificationRequestInfo().SubjectPublicKeyInfo;
        using var keys = new SoftwareKeyManager();
        var (issuing, signer, now) = await IssuingCaAsync(keys);
        var leaf = new CertificateFactory(new CaUrls(Options.Create(new PkiOptions { PublicBaseUrl = "http://pki.test" }))).CreateLeaf(issuing, signer, new LeafTemplate(
            SerialNumbers.New(), new CertificateProfile("tls-server", Org.BouncyCastle.Asn1.X509.KeyPurposeID.id_kp_serverAuth, true, 47),
            requested, "web.internal", ["web.internal"], [], now.AddMinutes(-5), now.AddDays(47)));

        var spki = leaf.CertificateStructure.SubjectPublicKeyInfo;
        if (encoding == "ec-compressed-point")
        {
            Assert.Equal(0x04, spki.PublicKey.GetOctets()[0]);
            Assert.Equal(65, spki.PublicKey.GetOctets().Length);
        }
        else
        {
            Assert.Equal(rsa.ExportSubjectPublicKeyInfo(), spki.GetDerEncoded());
        }

        var info = CertificateInfo(ssl.Write("leaf.pem", Pem.Certificate(leaf.GetEncoded())));
        Assert.True(info.ExitCode == 0 && !info.Stderr.Contains("error", StringComparison.OrdinalIgnoreCase), info.Stderr + info.Stdout);
        Assert.Matches(encoding == "ec-compressed-point" ? @"Curve:\s+SECP256R1" : @"Modulus \(bits 2048\)", info.Stdout);
    }

    [Fact]
    public async Task Leaf_dns_names_are_written_in_lower_case()
    {
        using var keys = new SoftwareKeyManager();
        var (issuing, signer, now) = await IssuingCaAsync(keys);
        var csr = CsrParser.Parse(Csrs.Ec(null, ["web.internal"]));
        var leaf = new CertificateFactory(new CaUrls(Options.Create(new PkiOptions { PublicBaseUrl = "http://pki.test" }))).CreateLeaf(issuing, signer, new LeafTemplate(
            SerialNumbers.New(), new CertificateProfile("tls-server", Org.BouncyCastle.Asn1.X509.KeyPurposeID.id_kp_serverAuth, true, 47),
            csr.PublicKey, null, ["Web.INTERNAL"], [], now.AddMinutes(-5), now.AddDays(47)));

        Assert.Equal(["web.internal"], IssuedCertificateReader.Read(leaf.GetEncoded()).DnsNames);
    }

    private static async Task<(CertificateAuthority Issuing, ISigner Signer, DateTimeOffset Now)> IssuingCaAsync(SoftwareKeyManager keys)
    {
        var factory = new CertificateFactory(new CaUrls(Options.Create(new PkiOptions { PublicBaseUrl = "http://pki.test" })));
        var now = new DateTimeOffset(2026, 11, 27, 8, 0, 0, TimeSpan.Zero);
        var rootKey = await keys.CreateKeyAsync(new CreateKeyRequest(KeyUri.Software("root"), KeyAlgorithm.EcP256));
        var rootSigner = await keys.CreateSignerAsync(new CreateSignerRequest(rootKey.KeyUri, KeyAlgorithm.EcP256.DefaultScheme()));
        var rootCert = factory.CreateRoot(rootSigner, "CN=Test Root", SerialNumbers.New(), now.AddMinutes(-5), now.AddYears(10));
        var root = new CertificateAuthority("root", CaRole.Root, "CN=Test Root", rootCert.GetEncoded(), null, now.AddYears(10), rootKey.KeyUri, "software", rootSigner.Scheme);
        var issuingKey = await keys.CreateKeyAsync(new CreateKeyRequest(KeyUri.Software("issuing"), KeyAlgorithm.EcP256));
        var issuingCert = factory.CreateIssuing(root, rootSigner, issuingKey.SubjectPublicKeyInfo, "CN=Test Issuing", SerialNumbers.New(), now.AddMinutes(-5), now.AddYears(5));
        var issuing = new CertificateAuthority("issuing", CaRole.Issuing, "CN=Test Issuing", issuingCert.GetEncoded(), "root", now.AddYears(5), issuingKey.KeyUri, "software", SignatureScheme.EcdsaSha256);
        return (issuing, await keys.CreateSignerAsync(new CreateSignerRequest(issuingKey.KeyUri, SignatureScheme.EcdsaSha256)), now);
    }

    /// <summary>GnuTLS's reading of a certificate (certtool -i): it reports a key it cannot import on stderr and still exits 0.</summary>
    private static OpensslResult CertificateInfo(string pemPath)
    {
        var psi = new ProcessStartInfo("certtool") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, ArgumentList = { "-i", "--infile", pemPath } };
        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(60_000))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException("certtool -i did not finish in 60 s");
        }

        return new OpensslResult(process.ExitCode, stdout.Result, stderr.Result);
    }
}
