using System.Formats.Asn1;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Options;
using Pki.Core;
using Pki.Core.Acme;
using Pki.Core.Discovery;
using Pki.Tests.EndToEnd.Acme;

namespace Pki.Tests.Unit.Acme;

/// <summary>
/// tls-alpn-01 and dns-01 validators alone: what RFC 8737 §3 asks of the certificate (beyond the wrong answers the
/// end-to-end refusal tests send through the ACME flow), the bounds on time and bytes a target cannot stretch, and the
/// settings that point validation somewhere.
/// </summary>
public sealed class ChallengeValidatorTests
{
    private const string Name = "svc.web.internal";
    private const string KeyAuthorization = "token.thumbprint";

    [Fact]
    public void Certificate_as_rfc8737_asks_passes_the_check()
    {
        using var certificate = TlsAlpnResponder.Certificate([Name], TlsAlpnResponder.Digest(KeyAuthorization));
        Assert.Null(TlsAlpn01Validator.Check(certificate, Name, KeyAuthorization));
        Assert.Null(TlsAlpn01Validator.Check(certificate, "SVC.Web.Internal", KeyAuthorization));
    }

    [Fact]
    public void Certificate_for_another_name_fails_the_check()
    {
        using var certificate = TlsAlpnResponder.Certificate(["other.web.internal"], TlsAlpnResponder.Digest(KeyAuthorization));
        Assert.Contains("exactly the dNSName svc.web.internal", TlsAlpn01Validator.Check(certificate, Name, KeyAuthorization), StringComparison.Ordinal);
    }

    [Fact]
    public void Subject_alt_name_with_an_address_beside_the_name_fails_the_check()
    {
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName(Name);
        san.AddIpAddress(IPAddress.Loopback);
        using var certificate = Build(san.Build(), IdentifierExtension(TlsAlpnResponder.Digest(KeyAuthorization), critical: true));
        Assert.Contains("2 entries", TlsAlpn01Validator.Check(certificate, Name, KeyAuthorization), StringComparison.Ordinal);
    }

    [Fact]
    public void Acme_identifier_that_is_not_an_octet_string_of_the_digest_fails_the_check()
    {
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName(Name);

        // The raw digest without its OCTET STRING wrapping: a server that compared bytes loosely would take it.
        using var bare = Build(san.Build(), new X509Extension(TlsAlpn01Validator.AcmeIdentifierOid, TlsAlpnResponder.Digest(KeyAuthorization), critical: true));
        Assert.Contains("not a DER OCTET STRING", TlsAlpn01Validator.Check(bare, Name, KeyAuthorization), StringComparison.Ordinal);

        // base64url text of the digest (the dns-01 form) in the OCTET STRING.
        using var text = Build(san.Build(), IdentifierExtension(System.Text.Encoding.ASCII.GetBytes(Dns01Validator.ExpectedValue(KeyAuthorization)), critical: true));
        Assert.Contains("than the SHA-256", TlsAlpn01Validator.Check(text, Name, KeyAuthorization), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Validator_accepts_the_right_answer_over_tls_with_acme_tls_1()
    {
        var port = FreePort();
        await using var responder = TlsAlpnResponder.Start(port, TlsAlpnResponder.Certificate([Name], TlsAlpnResponder.Digest(KeyAuthorization)));
        var result = await TlsAlpn(port).ValidateAsync(new AcmeIdentifier(AcmeIdentifier.Dns, Name), "token", KeyAuthorization);
        Assert.True(result.Valid, result.Detail);
    }

    [Fact]
    public async Task Validator_stops_reading_a_handshake_past_its_byte_bound()
    {
        // The right answer, but in a certificate padded past MaxHandshakeBytes: the handshake is cut off, not read to its end.
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName(Name);
        using var padded = Build(san.Build(), IdentifierExtension(TlsAlpnResponder.Digest(KeyAuthorization), critical: true),
            new X509Extension("1.3.6.1.4.1.99999.1", OctetString(new byte[TlsAlpn01Validator.MaxHandshakeBytes + 1024]), critical: false));
        Assert.Null(TlsAlpn01Validator.Check(padded, Name, KeyAuthorization));
        var port = FreePort();
        await using var responder = TlsAlpnResponder.Start(port, X509CertificateLoader.LoadPkcs12(padded.Export(X509ContentType.Pkcs12), null));
        var result = await TlsAlpn(port).ValidateAsync(new AcmeIdentifier(AcmeIdentifier.Dns, Name), "token", KeyAuthorization);
        Assert.False(result.Valid);
        Assert.Equal(AcmeErrors.Tls, result.ErrorType);
        Assert.Contains($"more than {TlsAlpn01Validator.MaxHandshakeBytes} bytes", result.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Validator_gives_up_on_a_target_that_never_answers_the_handshake()
    {
        var port = FreePort();
        using var silent = new TcpListener(IPAddress.Loopback, port);
        silent.Start();
        var result = await TlsAlpn(port, timeoutSeconds: 1).ValidateAsync(new AcmeIdentifier(AcmeIdentifier.Dns, Name), "token", KeyAuthorization);
        Assert.False(result.Valid);
        Assert.Equal(AcmeErrors.Tls, result.ErrorType);
        Assert.Contains("timed out", result.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Validator_reports_a_closed_port_as_connection()
    {
        var result = await TlsAlpn(FreePort()).ValidateAsync(new AcmeIdentifier(AcmeIdentifier.Dns, Name), "token", KeyAuthorization);
        Assert.Equal(AcmeErrors.Connection, result.ErrorType);
    }

    [Fact]
    public async Task Dns01_does_not_take_an_ip_identifier()
    {
        var ip = new AcmeIdentifier(AcmeIdentifier.Ip, "127.0.0.1");
        Assert.Equal(AcmeErrors.RejectedIdentifier, (await Dns01("127.0.0.1:53").ValidateAsync(ip, "t", KeyAuthorization)).ErrorType);
    }

    [Theory]
    [InlineData("127.0.0.1", "1.0.0.127.in-addr.arpa")]
    [InlineData("192.0.2.10", "10.2.0.192.in-addr.arpa")]
    // RFC 8738 §6's own example.
    [InlineData("2001:db8::1", "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa")]
    public void Tls_alpn_sni_of_an_address_is_its_reverse_mapping_name(string address, string expected) =>
        Assert.Equal(expected, TlsAlpn01Validator.ReverseName(IPAddress.Parse(address)));

    [Fact]
    public void Tls_alpn_answer_for_an_address_names_exactly_that_ip_address()
    {
        var ip = new AcmeIdentifier(AcmeIdentifier.Ip, "127.0.0.1");
        var digest = TlsAlpnResponder.Digest(KeyAuthorization);
        using var right = TlsAlpnResponder.Certificate(["127.0.0.1"], digest);
        Assert.Null(TlsAlpn01Validator.Check(right, ip, KeyAuthorization));
        Assert.Contains("exactly the iPAddress ::1", TlsAlpn01Validator.Check(right, new AcmeIdentifier(AcmeIdentifier.Ip, "::1"), KeyAuthorization), StringComparison.Ordinal);
        using var reverseName = TlsAlpnResponder.Certificate(["1.0.0.127.in-addr.arpa"], digest);
        Assert.Contains("exactly the iPAddress 127.0.0.1", TlsAlpn01Validator.Check(reverseName, ip, KeyAuthorization), StringComparison.Ordinal);
        using var other = TlsAlpnResponder.Certificate(["127.0.0.2"], digest);
        Assert.Contains("iPAddress 127.0.0.2", TlsAlpn01Validator.Check(other, ip, KeyAuthorization), StringComparison.Ordinal);
        using var both = TlsAlpnResponder.Certificate(["127.0.0.1", Name], digest);
        Assert.Contains("2 entries", TlsAlpn01Validator.Check(both, ip, KeyAuthorization), StringComparison.Ordinal);
        // An address is not a DNS name's answer either.
        Assert.Contains("exactly the dNSName", TlsAlpn01Validator.Check(right, Name, KeyAuthorization), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Tls_alpn_validates_an_address_at_the_address_with_its_reverse_name_as_sni()
    {
        var port = FreePort();
        await using var responder = TlsAlpnResponder.Start(port, TlsAlpnResponder.Certificate(["127.0.0.1"], TlsAlpnResponder.Digest(KeyAuthorization)));
        var result = await TlsAlpn(port).ValidateAsync(new AcmeIdentifier(AcmeIdentifier.Ip, "127.0.0.1"), "token", KeyAuthorization);
        Assert.True(result.Valid, result.Detail);
        Assert.Equal("1.0.0.127.in-addr.arpa", responder.ServerName);
    }

    [Fact]
    public async Task Dns01_resolver_outside_the_allowed_networks_is_not_asked()
    {
        var result = await Dns01("192.0.2.53:53").ValidateAsync(new AcmeIdentifier(AcmeIdentifier.Dns, Name), "t", KeyAuthorization);
        Assert.Equal(AcmeErrors.ServerInternal, result.ErrorType);
        Assert.Contains("Pki:Acme:DnsResolver", result.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Dns01_resolver_that_does_not_answer_is_a_dns_problem()
    {
        // A UDP port nobody reads: the query times out (and TCP is refused).
        using var quiet = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        var result = await Dns01("127.0.0.1:" + ((IPEndPoint)quiet.Client.LocalEndPoint!).Port, timeoutSeconds: 1)
            .ValidateAsync(new AcmeIdentifier(AcmeIdentifier.Dns, Name), "t", KeyAuthorization);
        Assert.Equal(AcmeErrors.Dns, result.ErrorType);
    }

    [Fact]
    public void Dns01_value_is_base64url_of_the_sha256_of_the_key_authorization()
    {
        // RFC 8555 §8.4's own form, computed here independently of the validator.
        var expected = Convert.ToBase64String(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(KeyAuthorization))).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        Assert.Equal(expected, Dns01Validator.ExpectedValue(KeyAuthorization));
    }

    [Theory]
    [InlineData("10.0.0.2", "10.0.0.2:53")]
    [InlineData("10.0.0.2:5353", "10.0.0.2:5353")]
    [InlineData("[fd00::2]:53", "[fd00::2]:53")]
    [InlineData("fd00::2", "[fd00::2]:53")]
    public void Dns_resolver_setting_names_an_endpoint(string setting, string endPoint)
    {
        Assert.Equal(endPoint, new AcmeOptions { DnsResolver = setting }.DnsResolverEndPoint()!.ToString());
        Assert.Null(new AcmeOptions().DnsResolverEndPoint());
    }

    [Theory]
    [InlineData("resolver.corp.internal", "Pki:Acme:DnsResolver must be address or address:port")]
    [InlineData("10.0.0.2:99999", "Pki:Acme:DnsResolver must be address or address:port")]
    [InlineData("192.0.2.53", "Pki:Acme:DnsResolver 192.0.2.53:53 lies outside Pki:Discovery:AllowedNetworks")]
    public void Start_up_names_a_bad_or_disallowed_resolver(string setting, string message)
    {
        var options = PkiOptionsValidatorTests.Valid();
        options.Discovery.AllowedNetworks = ["10.0.0.0/8"];
        options.Acme.DnsResolver = setting;
        var result = new PkiOptionsValidator().Validate(null, options);
        Assert.True(result.Failed);
        Assert.Contains(message, result.FailureMessage, StringComparison.Ordinal);

        options.Acme.DnsResolver = "10.0.0.2";
        Assert.True(new PkiOptionsValidator().Validate(null, options).Succeeded);
    }

    [Fact]
    public void Start_up_names_a_tls_alpn01_port_out_of_range()
    {
        var options = PkiOptionsValidatorTests.Valid();
        options.Acme.TlsAlpn01Port = 0;
        var result = new PkiOptionsValidator().Validate(null, options);
        Assert.Contains("Pki:Acme:TlsAlpn01Port", result.FailureMessage, StringComparison.Ordinal);
    }

    private static TlsAlpn01Validator TlsAlpn(int port, int timeoutSeconds = 5)
    {
        var options = new PkiOptions { Discovery = { AllowedNetworks = ["127.0.0.0/8"] } };
        options.Acme.TlsAlpn01Port = port;
        options.Acme.ValidationTimeoutSeconds = timeoutSeconds;
        options.Acme.ValidationHosts = [Name + "=127.0.0.1"];
        return new TlsAlpn01Validator(new NetworkPolicy(options.Discovery), Options.Create(options));
    }

    private static Dns01Validator Dns01(string resolver, int timeoutSeconds = 5)
    {
        var options = new PkiOptions { Discovery = { AllowedNetworks = ["127.0.0.0/8"] } };
        options.Acme.DnsResolver = resolver;
        options.Acme.ValidationTimeoutSeconds = timeoutSeconds;
        return new Dns01Validator(new NetworkPolicy(options.Discovery), Options.Create(options));
    }

    private static X509Extension IdentifierExtension(byte[] digest, bool critical) => new(TlsAlpn01Validator.AcmeIdentifierOid, OctetString(digest), critical);

    private static byte[] OctetString(byte[] content)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        writer.WriteOctetString(content);
        return writer.Encode();
    }

    private static X509Certificate2 Build(params X509Extension[] extensions)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=" + Name, key, HashAlgorithmName.SHA256);
        foreach (var extension in extensions)
        {
            request.CertificateExtensions.Add(extension);
        }

        // Validity from a fixed past moment: the validator ignores it, and no verdict here depends on today's date.
        return request.CreateSelfSigned(new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(2035, 1, 1, 0, 0, 0, TimeSpan.Zero));
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
