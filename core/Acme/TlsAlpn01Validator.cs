using System.Formats.Asn1;
using System.Globalization;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Microsoft.Extensions.Options;
using Pki.Core.Discovery;

namespace Pki.Core.Acme;

/// <summary>
/// tls-alpn-01 (RFC 8737): a TLS handshake to {identifier}:{port} with SNI the name and ALPN offering only acme-tls/1
/// must negotiate acme-tls/1 and show a certificate whose subjectAltName is exactly the one dNSName and whose critical
/// id-pe-acmeIdentifier extension holds SHA-256(key authorization) as an OCTET STRING. For an ip identifier (RFC 8738
/// §6) the handshake goes to the address, the SNI is its reverse-mapping name (in-addr.arpa or ip6.arpa), and the
/// subjectAltName must be exactly that one iPAddress. The certificate is self-signed and
/// is not path-validated; only its content counts. The target passes the same network policy as http-01
/// (<see cref="AcmeValidationTarget"/>), the handshake has <see cref="AcmeOptions.ValidationTimeoutSeconds"/> and reads
/// at most <see cref="MaxHandshakeBytes"/>.
/// </summary>
public sealed class TlsAlpn01Validator(NetworkPolicy network, IOptions<PkiOptions> options) : IChallengeValidator
{
    /// <summary>id-pe-acmeIdentifier (RFC 8737 §6.1).</summary>
    public const string AcmeIdentifierOid = "1.3.6.1.5.5.7.1.31";

    public const int MaxHandshakeBytes = 64 * 1024;

    private const string SubjectAltNameOid = "2.5.29.17";

    /// <summary>The ALPN protocol name RFC 8737 §6.2 registers.</summary>
    public static readonly SslApplicationProtocol AcmeTls1 = new("acme-tls/1");

    public string Type => AcmeChallenge.TlsAlpn01;

    public async Task<AcmeValidationResult> ValidateAsync(AcmeIdentifier identifier, string token, string keyAuthorization, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(identifier);
        ArgumentNullException.ThrowIfNull(keyAuthorization);
        if (identifier.Type is not (AcmeIdentifier.Dns or AcmeIdentifier.Ip))
        {
            return AcmeValidationResult.Failure(AcmeErrors.RejectedIdentifier, $"tls-alpn-01 validates dns and ip identifiers, not {identifier.Type}.");
        }

        var acme = options.Value.Acme;
        var target = await AcmeValidationTarget.ResolveAsync(network, acme, identifier, cancellationToken).ConfigureAwait(false);
        if (target.Address is not { } address)
        {
            return target.Refusal!;
        }

        var where = $"{identifier.Value} ({address}) port {acme.TlsAlpn01Port}";
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(TimeSpan.FromSeconds(acme.ValidationTimeoutSeconds));
        var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(address, acme.TlsAlpn01Port, deadline.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            socket.Dispose();
            return AcmeValidationResult.Failure(AcmeErrors.Connection, $"Could not connect to {where}: {(e is SocketException s ? s.SocketErrorCode.ToString() : "timed out")}.");
        }

        // The certificate is the challenge response, not a server identity: any chain is accepted and then judged below.
        await using var tls = new SslStream(new ReadLimitedStream(new NetworkStream(socket, ownsSocket: true), MaxHandshakeBytes), leaveInnerStreamOpen: false);
        try
        {
            await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
            {
                TargetHost = identifier.Type == AcmeIdentifier.Ip ? ReverseName(IPAddress.Parse(identifier.Value)) : identifier.Value,
                ApplicationProtocols = [AcmeTls1],
                EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
                CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
                RemoteCertificateValidationCallback = (_, _, _, _) => true,
            }, deadline.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is AuthenticationException or IOException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return AcmeValidationResult.Failure(AcmeErrors.Tls,
                $"The TLS handshake with {where} failed: {(e is OperationCanceledException ? "timed out" : e.InnerException?.Message ?? e.Message)}");
        }

        if (tls.NegotiatedApplicationProtocol != AcmeTls1)
        {
            return AcmeValidationResult.Failure(AcmeErrors.Tls, $"{where} did not negotiate the ALPN protocol acme-tls/1.");
        }

        if (tls.RemoteCertificate is not { } presented)
        {
            return AcmeValidationResult.Failure(AcmeErrors.Tls, $"{where} presented no certificate.");
        }

        using var certificate = X509CertificateLoader.LoadCertificate(presented.GetRawCertData());
        return Check(certificate, identifier, keyAuthorization) is { } wrong
            ? AcmeValidationResult.Failure(AcmeErrors.IncorrectResponse, $"The certificate {where} presented for acme-tls/1 {wrong}")
            : AcmeValidationResult.Success;
    }

    /// <summary>What is wrong with <paramref name="certificate"/> as the RFC 8737 §3 answer for the DNS name <paramref name="name"/>, or null when it is right.</summary>
    public static string? Check(X509Certificate2 certificate, string name, string keyAuthorization) =>
        Check(certificate, new AcmeIdentifier(AcmeIdentifier.Dns, name), keyAuthorization);

    /// <summary>
    /// What is wrong with <paramref name="certificate"/> as the answer for <paramref name="identifier"/> (RFC 8737 §3; an
    /// ip identifier's subjectAltName holds its iPAddress, RFC 8738 §6), or null when it is right.
    /// </summary>
    public static string? Check(X509Certificate2 certificate, AcmeIdentifier identifier, string keyAuthorization)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        ArgumentNullException.ThrowIfNull(identifier);
        ArgumentNullException.ThrowIfNull(keyAuthorization);
        var sans = certificate.Extensions.Where(e => e.Oid?.Value == SubjectAltNameOid).ToList();
        if (sans.Count != 1)
        {
            return sans.Count == 0 ? "has no subjectAltName extension." : "has more than one subjectAltName extension.";
        }

        var names = GeneralNames(sans[0].RawData);
        if (names is null)
        {
            return "has a subjectAltName extension that is not DER.";
        }

        var ip = identifier.Type == AcmeIdentifier.Ip;
        var kind = ip ? "iPAddress" : "dNSName";
        var matches = names.Count == 1 && names[0] is { } only && only.Kind == kind && (ip
            ? IPAddress.TryParse(only.Value, out var presented) && presented.Equals(IPAddress.Parse(identifier.Value))
            : string.Equals(only.Value, identifier.Value, StringComparison.OrdinalIgnoreCase));
        if (!matches)
        {
            return $"must name exactly the {kind} {identifier.Value} in its subjectAltName; it names {names.Count} entries ({string.Join(", ", names.Select(n => n is { } g ? $"{g.Kind} {g.Value}" : "(another kind)"))}).";
        }

        var identifiers = certificate.Extensions.Where(e => e.Oid?.Value == AcmeIdentifierOid).ToList();
        if (identifiers.Count != 1)
        {
            return identifiers.Count == 0 ? "lacks the acmeIdentifier extension (1.3.6.1.5.5.7.1.31)." : "has more than one acmeIdentifier extension.";
        }

        if (!identifiers[0].Critical)
        {
            return "has an acmeIdentifier extension that is not critical.";
        }

        byte[] digest;
        try
        {
            var reader = new AsnReader(identifiers[0].RawData, AsnEncodingRules.DER);
            digest = reader.ReadOctetString();
            reader.ThrowIfNotEmpty();
        }
        catch (AsnContentException)
        {
            return "has an acmeIdentifier extension that is not a DER OCTET STRING.";
        }

        var expected = SHA256.HashData(Encoding.UTF8.GetBytes(keyAuthorization));
        return digest.Length == expected.Length && CryptographicOperations.FixedTimeEquals(digest, expected)
            ? null
            : "holds another value in its acmeIdentifier extension than the SHA-256 of the key authorization.";
    }

    /// <summary>
    /// The reverse-mapping name of an address (RFC 8738 §6, the tls-alpn-01 SNI): 127.0.0.1 is 1.0.0.127.in-addr.arpa, an
    /// IPv6 address its 32 nibbles in reverse under ip6.arpa.
    /// </summary>
    public static string ReverseName(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        var bytes = address.GetAddressBytes();
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            return string.Join('.', bytes.Reverse().Select(b => b.ToString(CultureInfo.InvariantCulture))) + ".in-addr.arpa";
        }

        var nibbles = new StringBuilder(bytes.Length * 4 + 9);
        foreach (var b in bytes.Reverse())
        {
            nibbles.Append(HexDigits[b & 0xF]).Append('.').Append(HexDigits[b >> 4]).Append('.');
        }

        return nibbles.Append("ip6.arpa").ToString();
    }

    private const string HexDigits = "0123456789abcdef";

    /// <summary>The GeneralNames of a subjectAltName value: a dNSName or iPAddress as its kind and text, any other as null; null when not DER.</summary>
    private static List<(string Kind, string Value)?>? GeneralNames(byte[] value)
    {
        try
        {
            var names = new List<(string Kind, string Value)?>();
            var outer = new AsnReader(value, AsnEncodingRules.DER);
            var sequence = outer.ReadSequence();
            outer.ThrowIfNotEmpty();
            var dnsName = new Asn1Tag(TagClass.ContextSpecific, 2);
            var ipAddress = new Asn1Tag(TagClass.ContextSpecific, 7);
            while (sequence.HasData)
            {
                var tag = sequence.PeekTag();
                if (tag.HasSameClassAndValue(dnsName))
                {
                    names.Add(("dNSName", sequence.ReadCharacterString(UniversalTagNumber.IA5String, dnsName)));
                }
                else if (tag.HasSameClassAndValue(ipAddress) && sequence.ReadOctetString(ipAddress) is { Length: 4 or 16 } octets)
                {
                    names.Add(("iPAddress", new IPAddress(octets).ToString()));
                }
                else
                {
                    if (!tag.HasSameClassAndValue(ipAddress))
                    {
                        sequence.ReadEncodedValue();
                    }

                    names.Add(null);
                }
            }

            return names;
        }
        catch (AsnContentException)
        {
            return null;
        }
    }
}
