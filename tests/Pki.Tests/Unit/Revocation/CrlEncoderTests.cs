using System.Globalization;
using Microsoft.Extensions.Options;
using Org.BouncyCastle.X509;
using Pki.Core;
using Pki.Core.Authority;
using Pki.Core.Revocation;
using Pki.Core.Signing;
using Pki.Core.Signing.Software;
using Pki.Tests.Infrastructure;

namespace Pki.Tests.Unit.Revocation;

/// <summary>The direct DER CRL writer, judged by openssl and by BouncyCastle's parser.</summary>
public sealed class CrlEncoderTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 27, 8, 0, 0, TimeSpan.Zero);

    public static TheoryData<KeyAlgorithm, SignatureScheme> Schemes => new()
    {
        { KeyAlgorithm.EcP256, SignatureScheme.EcdsaSha256 },
        { KeyAlgorithm.EcP384, SignatureScheme.EcdsaSha384 },
        { KeyAlgorithm.Rsa2048, SignatureScheme.RsaPkcs1Sha256 },
        { KeyAlgorithm.Rsa2048, SignatureScheme.RsaPssSha256 },
    };

    [Theory]
    [MemberData(nameof(Schemes))]
    public async Task Crl_with_entries_and_reasons_verifies_and_reads_back(KeyAlgorithm algorithm, SignatureScheme scheme)
    {
        using var keys = new SoftwareKeyManager();
        var (ca, signer) = await CaAsync(keys, algorithm, scheme);
        CrlEntry[] entries =
        [
            new(Convert.FromHexString("0102030405060708090a0b0c0d0e0f10"), Now.AddHours(-2), RevocationReason.KeyCompromise),
            new(Convert.FromHexString("ff02030405060708090a0b0c0d0e0f10"), Now.AddHours(-1), RevocationReason.Unspecified),
            new(Convert.FromHexString("000000ab"), new DateTimeOffset(2051, 1, 2, 3, 4, 5, TimeSpan.Zero), RevocationReason.PrivilegeWithdrawn),
        ];
        var der = CrlEncoder.Encode(Template(ca, 7), entries, signer).ToArray();

        using var ssl = new Openssl();
        var caPem = ssl.Write("ca.pem", Pem.Certificate(ca.CertificateDer));
        var crl = ssl.Write("ca.crl", der);
        AssertCrlVerifies(crl, caPem);

        var text = Openssl.Run("crl", "-inform", "DER", "-in", crl, "-noout", "-text").EnsureSuccess().Stdout;
        Assert.Contains("Version 2 (0x1)", text);
        Assert.Matches(@"X509v3 CRL Number:\s+7", text);
        Assert.Contains("X509v3 Authority Key Identifier", text);
        Assert.Contains("Serial Number: 0102030405060708090A0B0C0D0E0F10", text);
        Assert.Contains("Serial Number: FF02030405060708090A0B0C0D0E0F10", text);
        Assert.Contains("Serial Number: AB", text);
        Assert.Contains("Key Compromise", text);
        Assert.Contains("Privilege Withdrawn", text);
        Assert.Contains("Jan  2 03:04:05 2051 GMT", text);
        Assert.DoesNotContain("Unspecified", text);

        // An independent parser reads the same entries, times and reasons.
        var parsed = new X509CrlParser().ReadCrl(der);
        parsed.Verify(ca.Certificate.GetPublicKey());
        var read = parsed.GetRevokedCertificates().ToDictionary(e => e.SerialNumber.ToString(16));
        Assert.Equal(3, read.Count);
        Assert.Equal(Now.AddHours(-2).UtcDateTime, read["102030405060708090a0b0c0d0e0f10"].RevocationDate);
        Assert.False(read["ff02030405060708090a0b0c0d0e0f10"].HasExtensions);
        Assert.Equal(Now.UtcDateTime, parsed.ThisUpdate);
        Assert.Equal(Now.AddHours(24).UtcDateTime, parsed.NextUpdate!.Value);
    }

    [Fact]
    public async Task Empty_crl_has_no_revoked_list_and_a_large_one_uses_long_lengths()
    {
        using var keys = new SoftwareKeyManager();
        var (ca, signer) = await CaAsync(keys, KeyAlgorithm.EcP256, SignatureScheme.EcdsaSha256);
        using var ssl = new Openssl();
        var caPem = ssl.Write("ca.pem", Pem.Certificate(ca.CertificateDer));

        var empty = ssl.Write("empty.crl", CrlEncoder.Encode(Template(ca, 1), [], signer).ToArray());
        Assert.Contains("No Revoked Certificates.", Openssl.Run("crl", "-inform", "DER", "-in", empty, "-noout", "-text").EnsureSuccess().Stdout);
        AssertCrlVerifies(empty, caPem);

        // 5000 entries: the list is longer than 65535 bytes, so its length takes three octets.
        var many = Enumerable.Range(1, 5000)
            .Select(i => new CrlEntry(BitConverter.GetBytes(i).Reverse().ToArray(), Now.AddSeconds(-i), (RevocationReason)(i % 2 == 0 ? 1 : 4)))
            .ToArray();
        var bytes = CrlEncoder.Encode(Template(ca, 2), many, signer).ToArray();
        Assert.True(bytes.Length > 0x10000);
        var large = ssl.Write("large.crl", bytes);
        AssertCrlVerifies(large, caPem);
        Assert.Equal(5000, new X509CrlParser().ReadCrl(bytes).GetRevokedCertificates().Count);

        // The check can fail: one changed bit in an entry breaks the signature.
        bytes[bytes.Length / 2] ^= 0x01;
        var tampered = ssl.Write("tampered.crl", bytes);
        var refused = Openssl.Run("crl", "-inform", "DER", "-in", tampered, "-CAfile", caPem, "-noout", "-verify");
        Assert.Contains("verify failure", refused.Stdout + refused.Stderr);
    }

    [Fact]
    public async Task Shard_and_delta_extensions_are_what_openssl_reads()
    {
        using var keys = new SoftwareKeyManager();
        var (ca, signer) = await CaAsync(keys, KeyAlgorithm.EcP256, SignatureScheme.EcdsaSha256);
        using var ssl = new Openssl();

        var shard = ssl.Write("shard.crl", CrlEncoder.Encode(Template(ca, 3) with { DistributionPoint = "http://pki.test/api/ca/issuing/crl/2" }, [], signer).ToArray());
        var shardText = Openssl.Run("crl", "-inform", "DER", "-in", shard, "-noout", "-text").EnsureSuccess().Stdout;
        Assert.Matches(@"X509v3 Issuing Distribution Point: critical\s+Full Name:\s+URI:http://pki\.test/api/ca/issuing/crl/2\s+Only User Certificates", shardText);

        var full = ssl.Write("full.crl", CrlEncoder.Encode(Template(ca, 4) with { FreshestCrl = "http://pki.test/api/ca/issuing/crl/delta" }, [], signer).ToArray());
        Assert.Matches(@"X509v3 Freshest CRL:\s+Full Name:\s+URI:http://pki\.test/api/ca/issuing/crl/delta", Openssl.Run("crl", "-inform", "DER", "-in", full, "-noout", "-text").EnsureSuccess().Stdout);

        var delta = ssl.Write("delta.crl", CrlEncoder.Encode(Template(ca, 5) with { BaseCrlNumber = 4 }, [], signer).ToArray());
        Assert.Matches(@"X509v3 Delta CRL Indicator: critical\s+4", Openssl.Run("crl", "-inform", "DER", "-in", delta, "-noout", "-text").EnsureSuccess().Stdout);
    }

    /// <summary>openssl crl -verify exits 0 even on a bad signature; only its message tells.</summary>
    internal static void AssertCrlVerifies(string crlPath, string caPem)
    {
        var verify = Openssl.Run("crl", "-inform", "DER", "-in", crlPath, "-CAfile", caPem, "-noout", "-verify");
        Assert.True(verify.ExitCode == 0 && (verify.Stdout + verify.Stderr).Contains("verify OK", StringComparison.Ordinal), verify.Stderr + verify.Stdout);
    }

    internal static CrlTemplate Template(CertificateAuthority ca, long number) =>
        new(ca.SubjectNameDer, ca.SubjectKeyId, number, Now, Now.AddHours(24));

    internal static async Task<(CertificateAuthority Ca, ISigner Signer)> CaAsync(SoftwareKeyManager keys, KeyAlgorithm algorithm, SignatureScheme scheme)
    {
        var factory = new CertificateFactory(new CaUrls(Options.Create(new PkiOptions { PublicBaseUrl = "http://pki.test" })));
        var key = await keys.CreateKeyAsync(new CreateKeyRequest(KeyUri.Software("ca-" + Guid.NewGuid().ToString("N")), algorithm));
        var signer = await keys.CreateSignerAsync(new CreateSignerRequest(key.KeyUri, scheme));
        var cert = factory.CreateRoot(signer, "CN=Test CRL Issuer,O=Test", SerialNumbers.New(), Now.AddDays(-1), Now.AddYears(40));
        var ca = new CertificateAuthority("ca", CaRole.Issuing, "CN=Test CRL Issuer,O=Test", cert.GetEncoded(), null, Now.AddYears(40), key.KeyUri, "software", scheme);
        return (ca, signer);
    }
}
