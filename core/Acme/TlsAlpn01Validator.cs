using System.Formats.Asn1;
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
/// id-pe-acmeIdentifier extension holds SHA-256(key authorization) as an OCTET STRING. The certificate is self-signed and
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
        if (identifier.Type != AcmeIdentifier.Dns)
        {
            return AcmeValidationResult.Failure(AcmeErrors.RejectedIdentifier, $"tls-alpn-01 validates dns identifiers here, not {identifier.Type}.");
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
                TargetHost = identifier.Value,
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
        return Check(certificate, identifier.Value, keyAuthorization) is { } wrong
            ? AcmeValidationResult.Failure(AcmeErrors.IncorrectResponse, $"The certificate {where} presented for acme-tls/1 {wrong}")
            : AcmeValidationResult.Success;
    }

    /// <summary>What is wrong with <paramref name="certificate"/> as the RFC 8737 §3 answer for <paramref name="name"/>, or null when it is right.</summary>
    public static string? Check(X509Certificate2 certificate, string name, string keyAuthorization)
    {
        ArgumentNullException.ThrowIfNull(certificate);
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

        if (names.Count != 1 || names[0] is not { } only || !string.Equals(only, name, StringComparison.OrdinalIgnoreCase))
        {
            return $"must name exactly the dNSName {name} in its subjectAltName; it names {names.Count} entries ({string.Join(", ", names.Select(n => n ?? "(not a dNSName)"))}).";
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

    /// <summary>The GeneralNames of a subjectAltName value: a dNSName as its text, any other kind as null; null when not DER.</summary>
    private static List<string?>? GeneralNames(byte[] value)
    {
        try
        {
            var names = new List<string?>();
            var outer = new AsnReader(value, AsnEncodingRules.DER);
            var sequence = outer.ReadSequence();
            outer.ThrowIfNotEmpty();
            var dnsName = new Asn1Tag(TagClass.ContextSpecific, 2);
            while (sequence.HasData)
            {
                names.Add(sequence.PeekTag().HasSameClassAndValue(dnsName)
                    ? sequence.ReadCharacterString(UniversalTagNumber.IA5String, dnsName)
                    : Skip(sequence));
            }

            return names;
        }
        catch (AsnContentException)
        {
            return null;
        }
    }

    private static string? Skip(AsnReader reader)
    {
        reader.ReadEncodedValue();
        return null;
    }
}
