using System.Diagnostics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.Pkcs;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Asn1.X9;
using Pki.Core.Authority;
using Pki.Core.Errors;
using Pki.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Pki.Tests.Unit.Authority;

/// <summary>PKCS#10 intake: what a signature check costs and accepts, and the key and names it hands to policy.</summary>
public sealed class CsrParserTests(ITestOutputHelper output)
{
    /// <summary>An RSA-8192 CSR for DNS:web.internal made once by openssl (generating such a key takes half a minute).</summary>
    private const string Rsa8192Csr = """
        -----BEGIN CERTIFICATE REQUEST-----
        MIIIhjCCBG4CAQAwFzEVMBMGA1UEAwwMd2ViLmludGVybmFsMIIEIjANBgkqhkiG
        9w0BAQEFAAOCBA8AMIIECgKCBAEAw7As4SkTrMKoxa+14eWrLQWV5mN9azMrX23O
        R+Jx1jGPRvtvwiIvcxUf0npgjHyGPjOGSkGUFS7pjRMU52xD4CW50bI5o7gFAXQJ
        SGbk5UzKaUugcYvlupA+VJGzE8m7qtrO7XgtI7DM3a7dJOJiVmC7raQsGXqJHI5H
        svtnKnkXIZXxzxpULj0Z21DIPj7K166WB1SJicZ5nsqaPKl1pW3Yyp9AmI90mcmw
        wEzMotNsFjcZqG6rAMf7I0MP0xqKfMpITKNIqlc+ACKg4azF5XiPLgthgycYIlsf
        gn1nwptt2D4mjMgq/h+0EemxuwKpiejgXHL2bNVwXOlkv4DKelgO18eWtl1DwKJ4
        r7Opt3Quh6I6v3tbsMGR79TeyMdbFt8gpF0NBQy3CxEFIzrj91Aw/yrm1qFQjnMa
        fOw23aB5qXvETVmD9Ve2lH6udhtQdS15NQ7A12mg1BFTq+uFm13niNiOTcacbw9w
        U3Y1Zs+RJLr/yBj2fxlNf4MwUjKiYu3vgNXzFNkzXpoMOg4jwJcvZ0umJvQSGRXq
        hQJe1WnfwohFTS8KNVb0E1Rj8rUxHmYwZJ8OaaLzwgqzh8DQFXY+Kpjoy1y5AKys
        YBM+Nkx6nes33Oh7Is8fP/m4huiGIrfZpkdgUKdXin9FdROm9qVv4S5LbD6yqdum
        du1tfk25I2wrCeebXci4k1nEEdFNS0iy23V25BkC0MqXz+5dXh1jLb8yJ4nvY7R+
        nBn+4mqr89gl4NPtcZHYv6OfOKomf4bIFZkl7qP29DsSLKODTrVOAV/oNNJs0A8H
        daMQ0FgtWEaiq22qpgTl/3yoAFpsd0Yhhq8A9uPAUqcKZPBXDtAYolLTqUEDvjXM
        T14yhTX7sna0Hn/5Z3B1XajtuuztZFzJI0/4GpjbkGKrRnlbIM9klWD04zRlZPvR
        Qb8io1oiMcIIVhvs9VDj/LrzkXYDPSulF46L0CdP5EjiI/Qua+PMdCyVFrrB3xQ3
        6T4ENtA9x4tuA3nIK0J7UTcBS0J2BGDQFk1bjyhQYJaqU9ZhxwRLY0UPCBOx2Orw
        E1wNRaD9ptjWRLQjODGw1p15WienEbt3WfS2pSMvpMVKyUC5dt0LKmQcXsHfbeoK
        Vsrjg3XUlTIhYQFF0u3D17Ig60JSheY6B2vY7e2pMF6SEuv9b/Pvy1RPciIaGWSn
        GOm8XdBlRr5vqU0U8CbkWOQqLIkxRAbB9jkTQaYbDSAEw7vkG1s7mwdI2NGmGRjE
        PB2xlLNAUrbqAsMTkJHuNKhxmBAEWz1ahLFXhFV0RKPVNMkwWGbxef8tB/4Eu3r3
        gV4A7dBDNDmiTk24HHxSREIL64+N5B+Dm6CvNWzvF0fCKeoWzwIDAQABoCowKAYJ
        KoZIhvcNAQkOMRswGTAXBgNVHREEEDAOggx3ZWIuaW50ZXJuYWwwDQYJKoZIhvcN
        AQELBQADggQBAJ6RBGqL+rllDwZ3s0vrIM9KfONDXnzQsUNjFxKAePMFK00Ot89h
        TrBsnlxYh3JnwcgAil/VfKh+tyPMSjKp4dCgpQQEFFiRJuOal2OEuIdWHRj5611/
        irzlbq1OT2NdV/z0h86sN1MNJK1IVuDIzrmKb1JxvGMhQJx+ae5cS4e/sNrExlP0
        a8zzioG0DqLaWgWOSJGQ6ZwiJGY+ztkpbp75xkyRsPWCv4r0KlzygJdrJLK9hzi8
        dVn7TGxYfHpIthKIg7kpSU5DKE9Z2j3YEN5As4n1D7Kv9GUHH3WId1NrWf+FAeFU
        GFNvMY9D5EQnVEi5AfR7NIo7l9MJcNDOkUEW9NYbrpwcTq+4V+CtR2ytkMakvkKw
        f/UohjqLR8B9S6Aof3P/b78OJ/H5gLX06GMoIvY0WXc2CGSwHLivPLdxHcYzczoT
        upKuEue8nuB9xHsAYdmJTmH6KgYQYMtRD8hI063N2HL+hfpkYaHHfs3eBlUPLA4w
        /E7bqAo3nXSGzwbcNjyCfiN8AGqZpKOsjUFpr1YDZ1+mP8OMHXjiI8owPen6AFsx
        Z3CQ1/lw6dHxHKYj43hlRi807J9oQsz30n0c3Z3Njvpv7kytvKYrEY1AhsEoISj/
        a4+YdXlehVhsZ3UeISm6eRH9fQJ9oxWdIcAAnNhlKxkmV5cN2p18Y5GbJw1iUUDa
        UEk3QBjHcXL6c1QM4Vz9oz8OHz+U34ZYx/3vwBxM2rrgkDKmMiG7AQG+ASi8+dQ2
        o2SXbwhP0b/RGQlp5cfpGbNck0z5o99YwB+7crtUkwgPx3eK1D2vgbt72S4ZJJbC
        jdtfbY5wc0Jom91gazDg9PZRlo0ZiEu/UjzOlIIuAjgv56zvfnxWSEst8DJ9yO2J
        ReRBQx0OYqP9GbeM8M/PsiYfrJz3Ds/GdwI8QDLMWNOH6KGGENXOTE6yhVghUNrm
        vZ+4M293ZswtTwD4qC1fq8+7HifzbpA6FqpRH24p/5XOmphdvxfqLn2Q/nayOUXm
        3KmywxhlJmi20LlostHfodCLk+0CYiH2qIazLKTnDBXRcFPkBWeyydXgFj6VdOwS
        /z8coLTkNwYw7BDf2NYUDPIaL1Xb6VPBqFMslB/P8r5Kr+6Jqj8pKb5D76EI4PO/
        JjfexB6T+N4ezEiv9M9V343EzhOOccI96qB7B6X9G73YSdFyk11zS9v7Y1sb87S0
        16P3eWjyg5QdrNr38+N/yeGQABSKMrVpJnUsvMh6QlEX3hzxZpytOANjhVdcIX7a
        iaT45ZW2Us6MRw/h41QxWky2CaM8WtsD3g5KeS6xgI6asmUdr3h/ncWZMNBB37ae
        vk3UlUsgtbdtOmkEWxaL6ZqUYd8EpiaAemY=
        -----END CERTIFICATE REQUEST-----
        """;

    [Fact]
    public void Rsa_8192_csr_with_a_broken_signature_is_refused_as_invalid_and_the_good_one_read()
    {
        var good = Der(Rsa8192Csr);
        var broken = (byte[])good.Clone();
        broken[^7] ^= 0x01;

        // The second round is the one reported, so JIT compilation is not counted.
        var (goodMs, brokenMs) = (0.0, 0.0);
        for (var round = 0; round < 2; round++)
        {
            (var parsed, goodMs) = Timed(() => CsrParser.Parse(good));
            Assert.Equal(["web.internal"], parsed.DnsNames);
            (var refused, brokenMs) = Timed(() => Assert.Throws<ProblemException>(() => CsrParser.Parse(broken)));
            Assert.Equal("csr-signature-invalid", refused.Type);
        }

        // What a refusal costs is reported, not asserted: timing depends on the machine.
        output.WriteLine($"RSA-8192 CSR: parse + verify {goodMs:F1} ms with a good signature, {brokenMs:F1} ms to refuse a broken one");
    }

    [Fact]
    public void Rsa_modulus_with_a_small_prime_factor_is_a_weak_key()
    {
        // 3 divides the modulus; the signature is garbage, as an attacker's would be.
        var modulus = Org.BouncyCastle.Math.BigInteger.ValueOf(3).Multiply(Org.BouncyCastle.Math.BigInteger.One.ShiftLeft(4093).Add(Org.BouncyCastle.Math.BigInteger.One));
        var csr = Unsigned(new SubjectPublicKeyInfo(
            new AlgorithmIdentifier(PkcsObjectIdentifiers.RsaEncryption, DerNull.Instance),
            new RsaPublicKeyStructure(modulus, Org.BouncyCastle.Math.BigInteger.ValueOf(65537))), 512);

        var e = Assert.Throws<ProblemException>(() => CsrParser.Parse(csr));
        Assert.Equal("weak-key", e.Type);
        Assert.Contains("small prime factor", e.Detail);
    }

    [Fact]
    public void Sha1_signature_is_refused_as_unsupported_naming_the_algorithm()
    {
        // .NET refuses to write SHA-1 requests; openssl still does.
        using var ssl = new Openssl();
        var csr = Openssl.Run("req", "-new", "-key", ssl.NewKey("k", "rsa:2048"), "-subj", "/CN=web.internal", "-sha1").EnsureSuccess().Stdout;

        var e = Assert.Throws<ProblemException>(() => CsrParser.Parse(csr));
        Assert.Equal(ProblemKind.Unprocessable, e.Kind);
        Assert.Equal("csr-signature-unsupported", e.Type);
        Assert.Contains("SHA-1withRSA", e.Detail);
        Assert.Contains("SHA-256", e.Detail);
    }

    public static TheoryData<string> Schemes => new() { "rsa-pkcs1-sha256", "rsa-pkcs1-sha512", "rsa-pss-sha256", "rsa-pss-sha384", "ec-p256-sha256", "ec-p384-sha384", "ec-p256-sha512" };

    [Theory]
    [MemberData(nameof(Schemes))]
    public void Csrs_signed_with_each_supported_scheme_verify_and_fail_when_altered(string scheme)
    {
        var csr = Signed(scheme, "CN=web.internal");
        Assert.Equal("web.internal", CsrParser.Parse(csr).CommonName);

        var altered = (byte[])csr.Clone();
        altered[IndexOf(altered, "web.internal"u8.ToArray())] ^= 0x01;
        Assert.Equal("csr-signature-invalid", Assert.Throws<ProblemException>(() => CsrParser.Parse(altered)).Type);
    }

    [Fact]
    public void Compressed_ec_point_is_handed_on_uncompressed()
    {
        using var ssl = new Openssl();
        var key = ssl.NewKey("ec.key", "ec:P-256");
        var compressed = ssl.PathOf("compressed.key");
        Openssl.Run("ec", "-in", key, "-conv_form", "compressed", "-out", compressed).EnsureSuccess();
        var csr = CsrParser.Parse(ssl.NewCsr(compressed, "/CN=web.internal", "DNS:web.internal"));

        var point = csr.PublicKey.PublicKey.GetOctets();
        Assert.Equal(65, point.Length);
        Assert.Equal(0x04, point[0]);
        Assert.Equal(X9ObjectIdentifiers.Prime256v1, csr.PublicKey.Algorithm.Parameters);

        // The same key openssl reads from the uncompressed private key.
        Assert.Equal(Openssl.Run("pkey", "-in", key, "-pubout").EnsureSuccess().Stdout, Pem(csr.PublicKey.GetDerEncoded()));
    }

    [Fact]
    public void Rsa_key_without_null_parameters_is_handed_on_with_null_parameters()
    {
        using var rsa = RSA.Create(2048);
        var csr = RsaCsrWithAbsentParameters(rsa);

        var parsed = CsrParser.Parse(csr);
        Assert.Equal(DerNull.Instance, parsed.PublicKey.Algorithm.Parameters);
        Assert.Equal(rsa.ExportSubjectPublicKeyInfo(), parsed.PublicKey.GetDerEncoded());
    }

    [Fact]
    public void Dns_names_and_a_common_name_repeating_one_are_lower_cased()
    {
        var csr = CsrParser.Parse(Csrs.Ec("Web.Internal", ["Web.Internal", "API.web.INTERNAL"]));
        Assert.Equal(["web.internal", "api.web.internal"], csr.DnsNames);
        Assert.Equal("web.internal", csr.CommonName);

        // A commonName naming no DNS name (a code signer) keeps its spelling.
        Assert.Equal("Payments Release Signing", CsrParser.Parse(Csrs.Ec("Payments Release Signing")).CommonName);
    }

    /// <summary>An RSA CSR whose SubjectPublicKeyInfo leaves out the NULL parameters, properly signed by the key.</summary>
    internal static byte[] RsaCsrWithAbsentParameters(RSA rsa)
    {
        var p = rsa.ExportParameters(false);
        var spki = new SubjectPublicKeyInfo(
            new AlgorithmIdentifier(PkcsObjectIdentifiers.RsaEncryption),
            new RsaPublicKeyStructure(new Org.BouncyCastle.Math.BigInteger(1, p.Modulus), new Org.BouncyCastle.Math.BigInteger(1, p.Exponent)));
        var info = new CertificationRequestInfo(new X509Name("CN=web.internal"), spki, null);
        var signature = rsa.SignData(info.GetDerEncoded(), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return new CertificationRequest(info, new AlgorithmIdentifier(PkcsObjectIdentifiers.Sha256WithRsaEncryption, DerNull.Instance), new DerBitString(signature)).GetDerEncoded();
    }

    private static byte[] Signed(string scheme, string subject)
    {
        var parts = scheme.Split('-');
        var hash = new HashAlgorithmName(parts[^1].ToUpperInvariant());
        if (parts[0] == "rsa")
        {
            using var rsa = RSA.Create(2048);
            return new CertificateRequest(subject, rsa, hash, parts[1] == "pss" ? RSASignaturePadding.Pss : RSASignaturePadding.Pkcs1).CreateSigningRequest();
        }

        using var ec = ECDsa.Create(parts[1] == "p384" ? ECCurve.NamedCurves.nistP384 : ECCurve.NamedCurves.nistP256);
        return new CertificateRequest(subject, ec, hash).CreateSigningRequest();
    }

    private static byte[] Unsigned(SubjectPublicKeyInfo spki, int signatureBytes) =>
        new CertificationRequest(
            new CertificationRequestInfo(new X509Name("CN=web.internal"), spki, null),
            new AlgorithmIdentifier(PkcsObjectIdentifiers.Sha256WithRsaEncryption, DerNull.Instance),
            new DerBitString(new byte[signatureBytes])).GetDerEncoded();

    private static (T Result, double Milliseconds) Timed<T>(Func<T> action)
    {
        var watch = Stopwatch.StartNew();
        var result = action();
        return (result, watch.Elapsed.TotalMilliseconds);
    }

    private static byte[] Der(string pem) => Convert.FromBase64String(string.Concat(pem.Split('\n').Where(l => !l.StartsWith("-----", StringComparison.Ordinal))));

    private static string Pem(byte[] spki) => new string(PemEncoding.Write("PUBLIC KEY", spki)) + "\n";

    private static int IndexOf(byte[] haystack, byte[] needle)
    {
        for (var i = 0; i <= haystack.Length - needle.Length; i++)
        {
            if (haystack.AsSpan(i, needle.Length).SequenceEqual(needle))
            {
                return i;
            }
        }

        throw new InvalidOperationException("needle not found");
    }
}
