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
    [InlineData(31, null, null)]
    public void Expiry_is_reported_by_the_nearest_threshold_crossed(int daysLeft, string? code, FindingSeverity? severity)
    {
        var finding = _rules.Timely(TestCertificates.Now.AddDays(daysLeft), TestCertificates.Now);

        Assert.Equal(code, finding?.Code);
        Assert.Equal(severity, finding?.Severity);
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

        var weak = Assert.Single(findings);
        Assert.Equal(FindingCodes.WeakSignature, weak.Code);
        Assert.Equal(severity, weak.Severity);
    }
}
