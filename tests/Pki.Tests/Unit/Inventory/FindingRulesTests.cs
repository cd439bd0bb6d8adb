using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Pki.Core.Inventory;

namespace Pki.Tests.Unit.Inventory;

public sealed class FindingRulesTests
{
    private readonly FindingRules _rules = new(new InventoryOptions());

    [Theory]
    [InlineData("good.test", "good.test", true)]
    [InlineData("GOOD.test", "good.TEST", true)]
    [InlineData("*.example.com", "www.example.com", true)]
    [InlineData("*.example.com", "a.b.example.com", false)]
    [InlineData("*.example.com", "example.com", false)]
    [InlineData("*.com", "example.com", false)]
    [InlineData("w*.example.com", "www.example.com", false)]
    [InlineData("other.test", "good.test", false)]
    public void Host_names_match_as_RFC_6125_says(string pattern, string name, bool matches)
    {
        Assert.Equal(matches, FindingRules.Matches(pattern, name));
    }

    [Fact]
    public void A_name_the_certificate_lacks_is_a_hostname_mismatch_and_an_address_is_not_checked()
    {
        var (root, _) = TestCertificates.Root();
        var (_, leaf) = TestCertificates.Issued(root, "CN=other.test", dns: ["other.test"]);

        var finding = FindingRules.Hostname(leaf, "good.test", "127.0.0.1:443/good.test");

        Assert.NotNull(finding);
        Assert.Equal(FindingCodes.HostnameMismatch, finding.Code);
        Assert.Contains("other.test", finding.Message);
        Assert.Null(FindingRules.Hostname(leaf, "other.test", "x"));
        Assert.Null(FindingRules.Hostname(leaf, "127.0.0.1", "x"));
    }

    [Theory]
    [InlineData(-1, FindingCodes.Expired, FindingSeverity.Critical)]
    [InlineData(5, FindingCodes.Expiring, FindingSeverity.High)]
    [InlineData(10, FindingCodes.Expiring, FindingSeverity.Medium)]
    [InlineData(29, FindingCodes.Expiring, FindingSeverity.Low)]
    [InlineData(59, FindingCodes.Expiring, FindingSeverity.Low)]
    [InlineData(61, null, null)]
    public void Expiry_is_reported_by_the_nearest_threshold_crossed(int daysLeft, string? code, FindingSeverity? severity)
    {
        var finding = _rules.Timely(TestCertificates.Now.AddDays(-365), TestCertificates.Now.AddDays(daysLeft), TestCertificates.Now);

        Assert.Equal(code, finding?.Code);
        Assert.Equal(severity, finding?.Severity);
    }

    [Theory]
    [InlineData(365, 50, FindingSeverity.Low)]
    [InlineData(47, 40, null)]
    [InlineData(47, 25, FindingSeverity.Low)]
    [InlineData(10, 9, null)]
    [InlineData(10, 6, FindingSeverity.High)]
    public void The_60_day_early_warning_applies_to_certificates_that_live_longer_than_a_threshold(int lifetime, int daysLeft, FindingSeverity? severity)
    {
        var notAfter = TestCertificates.Now.AddDays(daysLeft);

        var finding = _rules.Timely(notAfter.AddDays(-lifetime), notAfter, TestCertificates.Now);

        Assert.Equal(severity, finding?.Severity);
        Assert.Equal(severity is null ? null : FindingCodes.Expiring, finding?.Code);
    }

    [Fact]
    public void A_certificate_naming_neither_an_OCSP_responder_nor_a_CRL_is_reported_and_either_one_is_enough()
    {
        var (root, _) = TestCertificates.Root();
        var (_, bare) = TestCertificates.Issued(root, "CN=bare.test", dns: ["bare.test"], crl: false);
        Assert.Equal([FindingCodes.NoRevocationUrl], _rules.Intrinsic(bare).Select(f => f.Code));
        Assert.Contains("neither an OCSP responder", _rules.Intrinsic(bare).Single().Message);

        Assert.Empty(_rules.Intrinsic(Leaf(root, new X509AuthorityInformationAccessExtension(["http://ocsp.example.test"], null))));
        Assert.Empty(_rules.Intrinsic(Leaf(root, CertificateRevocationListBuilder.BuildCrlDistributionPointExtension(["http://crl.example.test/ca.crl"]))));

        // Only where a relying party looks: a caIssuers URL is no way to check revocation.
        Assert.Equal([FindingCodes.NoRevocationUrl], _rules.Intrinsic(Leaf(root, new X509AuthorityInformationAccessExtension(null, ["http://ca.example.test/ca.cer"]))).Select(f => f.Code));
    }

    [Theory]
    [InlineData(new string[0], null)]
    [InlineData(new[] { "Tls10" }, "Accepts TLS 1.0, deprecated")]
    [InlineData(new[] { "Tls11", "Tls10" }, "Accepts TLS 1.1 and TLS 1.0, deprecated")]
    public void An_endpoint_that_accepts_TLS_1_0_or_1_1_is_a_finding_of_that_location(string[] accepted, string? message)
    {
        var finding = FindingRules.LegacyProtocols(accepted, "127.0.0.1:443");

        Assert.Equal(message is null ? null : FindingCodes.LegacyTls, finding?.Code);
        if (message is not null)
        {
            Assert.StartsWith(message, finding!.Message, StringComparison.Ordinal);
            Assert.Equal(("127.0.0.1:443", FindingSeverity.Medium), (finding.Location, finding.Severity));
        }
    }

    private static CertificateFacts Leaf(X509Certificate2 issuer, X509Extension extension)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=leaf.test", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(extension);
        return CertificateFacts.Read(request.Create(issuer, TestCertificates.Now.AddDays(-1), TestCertificates.Now.AddDays(90), RandomNumberGenerator.GetBytes(16)).RawData);
    }

    [Fact]
    public void Short_RSA_keys_and_SHA1_signatures_are_weak_and_a_self_signed_leaf_is_reported()
    {
        var weak = _rules.Intrinsic(TestCertificates.Rsa(1024, HashAlgorithmName.SHA256)).Select(f => f.Code).ToArray();
        var strong = _rules.Intrinsic(TestCertificates.Rsa(2048, HashAlgorithmName.SHA256)).Select(f => f.Code).ToArray();

        Assert.Equal([FindingCodes.WeakKey, FindingCodes.SelfSigned], weak);
        Assert.Equal([FindingCodes.SelfSigned], strong);
    }

    [Theory]
    [InlineData("SHA1WITHRSA", FindingSeverity.High)]
    [InlineData("MD5WITHRSA", FindingSeverity.Critical)]
    public void SHA1_and_MD5_signatures_by_an_issuer_are_weak(string algorithm, FindingSeverity severity)
    {
        // .NET refuses to make such certificates, so BouncyCastle does.
        var generator = new Org.BouncyCastle.Crypto.Generators.RsaKeyPairGenerator();
        generator.Init(new Org.BouncyCastle.Crypto.KeyGenerationParameters(new Org.BouncyCastle.Security.SecureRandom(), 2048));
        var issuerKey = generator.GenerateKeyPair();
        var leafKey = generator.GenerateKeyPair();
        var builder = new Org.BouncyCastle.X509.X509V3CertificateGenerator();
        builder.SetSerialNumber(Org.BouncyCastle.Math.BigInteger.One);
        builder.SetIssuerDN(new Org.BouncyCastle.Asn1.X509.X509Name("CN=Some CA"));
        builder.SetSubjectDN(new Org.BouncyCastle.Asn1.X509.X509Name("CN=weak.test"));
        builder.SetNotBefore(TestCertificates.Now.AddDays(-1).UtcDateTime);
        builder.SetNotAfter(TestCertificates.Now.AddDays(30).UtcDateTime);
        builder.SetPublicKey(leafKey.Public);
        var cert = builder.Generate(new Org.BouncyCastle.Crypto.Operators.Asn1SignatureFactory(algorithm, issuerKey.Private));

        var findings = _rules.Intrinsic(CertificateFacts.Read(cert.GetEncoded())).ToArray();

        var weak = Assert.Single(findings, f => f.Code != FindingCodes.NoRevocationUrl);
        Assert.Equal(FindingCodes.WeakSignature, weak.Code);
        Assert.Equal(severity, weak.Severity);
    }
}
