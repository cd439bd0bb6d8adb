using Pki.Core.Access;
using System.Net;
using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using Pki.Core;
using Pki.Core.Authority;
using Pki.Core.Authority.Policy;
using Pki.Core.Errors;
using Pki.Tests.Infrastructure;

namespace Pki.Tests.Unit.Authority.Policy;

public sealed class RegistrationPolicyTests
{
    private static RegistrationAuthority Ra(Action<PkiOptions>? configure = null)
    {
        var options = new PkiOptions();
        configure?.Invoke(options);
        var wrapped = Options.Create(options);
        return new RegistrationAuthority(
            new ProfileCatalog(wrapped),
            [new OwnerRule(), new SubjectAltNameRule(), new NameRule(wrapped), new LifetimeRule()],
            new CallerContext());
    }

    private static CertificateRequestInput Input(byte[] csr, string profile = ProfileNames.TlsServer, string? owner = "alice", int? days = null) =>
        new(Convert.ToBase64String(csr), profile, owner, days);

    private static ProblemException Refused(RegistrationAuthority ra, CertificateRequestInput input) =>
        Assert.Throws<ProblemException>(() => ra.Approve(input));

    [Theory]
    [InlineData("web.internal")]
    [InlineData("a.b.c.test")]
    [InlineData("internal")]
    [InlineData("*.svc.internal")]
    [InlineData("xn--bcher-kva.internal")]
    public void Names_under_the_default_suffixes_are_approved(string name)
    {
        var approved = Ra().Approve(Input(Csrs.Ec(null, [name])));
        Assert.Equal([name], approved.Csr.DnsNames);
    }

    [Theory]
    [InlineData("www.example.com")]
    [InlineData("internal.example.com")]
    [InlineData("evilinternal")]
    [InlineData("*.internal")]
    [InlineData("*.test")]
    public void Names_outside_the_allowed_name_spaces_are_forbidden(string name)
    {
        var e = Refused(Ra(), Input(Csrs.Ec(null, [name])));
        Assert.Equal(ProblemKind.Forbidden, e.Kind);
        Assert.Equal("name-not-allowed", e.Type);
        Assert.Contains(name, e.Detail);
    }

    [Theory]
    [InlineData("bad_name.internal", "letters, digits and hyphens")]
    [InlineData("-x.internal", "hyphen")]
    [InlineData("a..internal", "1 to 63")]
    [InlineData("ex*.internal", "wildcard")]
    [InlineData("a.*.internal", "wildcard")]
    [InlineData("web.internal.", "dot")]
    [InlineData("xn--a.internal", "punycode")]
    public void Malformed_dns_names_are_unprocessable_with_the_reason(string name, string reason)
    {
        var e = Refused(Ra(), Input(Csrs.EcWithRawDnsNames(name)));
        Assert.Equal("invalid-dns-name", e.Type);
        Assert.Contains(reason, e.Detail);
    }

    [Fact]
    public void Configured_suffixes_replace_the_defaults()
    {
        var ra = Ra(o => o.Names.AllowedDnsSuffixes = ["corp.example"]);
        Assert.NotNull(ra.Approve(Input(Csrs.Ec(null, ["api.corp.example"]))));
        Assert.Equal(ProblemKind.Forbidden, Refused(ra, Input(Csrs.Ec(null, ["web.internal"]))).Kind);
    }

    [Fact]
    public void Ip_addresses_must_lie_in_the_allowed_ranges()
    {
        Assert.NotNull(Ra().Approve(Input(Csrs.Ec(null, null, [IPAddress.Parse("10.1.2.3"), IPAddress.Loopback]))));
        var e = Refused(Ra(), Input(Csrs.Ec(null, null, [IPAddress.Parse("8.8.8.8")])));
        Assert.Equal(ProblemKind.Forbidden, e.Kind);
        Assert.Contains("8.8.8.8", e.Detail);
    }

    [Theory]
    [InlineData("::ffff:1.1.1.1", "1.1.1.1")]
    [InlineData("::ffff:1.0.0.1", "1.0.0.1")]
    [InlineData("::ffff:0.0.0.0", "0.0.0.0")]
    [InlineData("::ffff:10.30.0.5", "10.30.0.5")]
    public void An_ipv4_mapped_ipv6_address_is_refused_and_the_detail_names_the_ipv4_address_to_use(string mapped, string ipv4)
    {
        // IPNetwork.Contains finds ::ffff:1.1.1.1 inside the default fc00::/7, so these were issued before.
        var e = Refused(Ra(), Input(Csrs.Ec(null, null, [IPAddress.Parse(mapped)])));
        Assert.Equal(ProblemKind.Unprocessable, e.Kind);
        Assert.Equal("ipv4-mapped-address", e.Type);
        Assert.Contains("put " + ipv4 + " in the CSR", e.Detail);
    }

    [Fact]
    public void An_ipv6_range_never_contains_an_ipv4_address()
    {
        var ra = Ra(o => o.Names.AllowedIpRanges = ["fc00::/7"]);
        Assert.NotNull(ra.Approve(Input(Csrs.Ec(null, null, [IPAddress.Parse("fd00::5")]))));
        Assert.Equal("name-not-allowed", Refused(ra, Input(Csrs.Ec(null, null, [IPAddress.Parse("1.1.1.1")]))).Type);
    }

    [Fact]
    public void Common_name_must_repeat_a_subject_alt_name()
    {
        var e = Refused(Ra(), Input(Csrs.Ec("other.internal", ["web.internal"])));
        Assert.Equal("common-name-not-in-san", e.Type);
    }

    [Fact]
    public void Email_names_are_not_issued()
    {
        var e = Refused(Ra(), Input(Csrs.Ec(null, ["web.internal"], email: "a@b.internal")));
        Assert.Equal("unsupported-name-type", e.Type);
        Assert.Contains("email", e.Detail);
    }

    [Fact]
    public void Client_profile_accepts_a_common_name_alone_but_checks_it_as_a_name()
    {
        Assert.NotNull(Ra().Approve(Input(Csrs.Ec("orders.internal"), ProfileNames.TlsClient)));
        Assert.Equal(ProblemKind.Forbidden, Refused(Ra(), Input(Csrs.Ec("orders.example.com"), ProfileNames.TlsClient)).Kind);
        Assert.Equal("missing-name", Refused(Ra(), Input(Csrs.Ec(null), ProfileNames.TlsClient)).Type);

        var longName = new string('a', 60) + ".svc.internal";
        Assert.Equal("common-name-too-long", Refused(Ra(), Input(Csrs.Ec(longName), ProfileNames.TlsClient)).Type);
        Assert.NotNull(Ra().Approve(Input(Csrs.Ec(longName, [longName]), ProfileNames.TlsClient)));
    }

    [Theory]
    [InlineData(1024, "weak-key")]
    [InlineData(2048, null)]
    public void Rsa_keys_below_2048_bits_are_refused(int bits, string? type)
    {
        var input = Input(Csrs.Rsa(bits, null, ["web.internal"]));
        if (type is null)
        {
            Assert.NotNull(Ra().Approve(input));
        }
        else
        {
            var e = Refused(Ra(), input);
            Assert.Equal(type, e.Type);
            Assert.Contains($"{bits} bits", e.Detail);
        }
    }

    [Fact]
    public void P521_keys_are_refused_as_unsupported()
    {
        var e = Refused(Ra(), Input(Csrs.Ec(null, ["web.internal"], curve: ECCurve.NamedCurves.nistP521)));
        Assert.Equal("unsupported-key", e.Type);
        Assert.Contains("P-256", e.Detail);
    }

    [Fact]
    public void Lifetime_is_capped_at_the_profile_maximum_and_zero_is_refused()
    {
        var csr = Csrs.Ec(null, ["web.internal"]);
        Assert.Equal(47, LifetimeRule.EffectiveDays(Ra().Approve(Input(csr, days: 400))));
        Assert.Equal(5, LifetimeRule.EffectiveDays(Ra().Approve(Input(csr, days: 5))));
        Assert.Equal(47, LifetimeRule.EffectiveDays(Ra().Approve(Input(csr))));
        Assert.Equal(90, LifetimeRule.EffectiveDays(Ra(o => o.Profiles[ProfileNames.TlsServer] = new ProfileOptions { MaxValidityDays = 90 }).Approve(Input(csr, days: 400))));
        Assert.Equal("invalid-validity", Refused(Ra(), Input(csr, days: 0)).Type);
    }

    [Theory]
    [InlineData(null, "missing-owner")]
    [InlineData("   ", "missing-owner")]
    [InlineData("a\u0001b", "invalid-owner")]
    public void Owner_is_required_and_printable(string? owner, string type)
    {
        Assert.Equal(type, Refused(Ra(), Input(Csrs.Ec(null, ["web.internal"]), owner: owner)).Type);
    }

    [Fact]
    public void Pem_and_der_forms_of_one_csr_are_both_read()
    {
        var der = Csrs.Ec(null, ["web.internal"]);
        var pem = new string(PemEncoding.Write("CERTIFICATE REQUEST", der));
        Assert.Equal(["web.internal"], Ra().Approve(new CertificateRequestInput(pem, ProfileNames.TlsServer, "alice", null)).Csr.DnsNames);
        Assert.Equal("csr-malformed", Refused(Ra(), new CertificateRequestInput(pem.Replace("-----END CERTIFICATE REQUEST-----", string.Empty, StringComparison.Ordinal), ProfileNames.TlsServer, "a", null)).Type);
        Assert.Equal("csr-malformed", Refused(Ra(), new CertificateRequestInput(Convert.ToBase64String([.. der, 0x00]), ProfileNames.TlsServer, "a", null)).Type);
    }

    [Fact]
    public void Validly_signed_csr_with_a_garbage_extension_is_a_bad_request_not_a_crash()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new System.Security.Cryptography.X509Certificates.CertificateRequest("CN=web.internal", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new System.Security.Cryptography.X509Certificates.X509Extension("2.5.29.17", [0x04, 0x02, 0xde, 0xad], false));
        var e = Refused(Ra(), Input(request.CreateSigningRequest()));
        Assert.Equal(ProblemKind.BadRequest, e.Kind);
        Assert.Equal("csr-malformed", e.Type);
    }

    [Theory]
    [InlineData(16384, 65537)]
    [InlineData(2048, -1)]
    public void Oversized_rsa_keys_are_refused_before_their_signature_is_checked(int modulusBits, long exponent)
    {
        // The signature is garbage on purpose: the key check must refuse before verifying, which for
        // such keys would cost seconds of CPU.
        var modulus = Org.BouncyCastle.Math.BigInteger.One.ShiftLeft(modulusBits - 1).Add(Org.BouncyCastle.Math.BigInteger.One);
        var e = exponent > 0 ? Org.BouncyCastle.Math.BigInteger.ValueOf(exponent) : Org.BouncyCastle.Math.BigInteger.One.ShiftLeft(4000).Add(Org.BouncyCastle.Math.BigInteger.One);
        var spki = new Org.BouncyCastle.Asn1.X509.SubjectPublicKeyInfo(
            new Org.BouncyCastle.Asn1.X509.AlgorithmIdentifier(Org.BouncyCastle.Asn1.Pkcs.PkcsObjectIdentifiers.RsaEncryption, Org.BouncyCastle.Asn1.DerNull.Instance),
            new Org.BouncyCastle.Asn1.X509.RsaPublicKeyStructure(modulus, e));
        var info = new Org.BouncyCastle.Asn1.Pkcs.CertificationRequestInfo(new Org.BouncyCastle.Asn1.X509.X509Name("CN=web.internal"), spki, null);
        var csr = new Org.BouncyCastle.Asn1.Pkcs.CertificationRequest(
            info,
            new Org.BouncyCastle.Asn1.X509.AlgorithmIdentifier(Org.BouncyCastle.Asn1.Pkcs.PkcsObjectIdentifiers.Sha256WithRsaEncryption, Org.BouncyCastle.Asn1.DerNull.Instance),
            new Org.BouncyCastle.Asn1.DerBitString(new byte[modulusBits / 8]));

        var refused = Refused(Ra(), Input(csr.GetDerEncoded()));
        Assert.Equal(ProblemKind.Unprocessable, refused.Kind);
        Assert.Contains(exponent > 0 ? "at most 8192" : "exponent", refused.Detail);
    }
}
