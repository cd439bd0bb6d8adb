using System.Text;
using Org.BouncyCastle.Security;
using Org.BouncyCastle.Tls;
using Org.BouncyCastle.Tls.Crypto;
using Org.BouncyCastle.Tls.Crypto.Impl.BC;

namespace Pki.Core.Discovery.Scanning;

/// <summary>
/// A TLS client that observes rather than trusts: it offers every protocol version from TLS 1.0 to 1.3
/// and a wide set of cipher suites so that legacy servers still show their certificates, accepts any
/// certificate, and keeps the certificates' bytes exactly as the server sent them. It never fetches
/// anything (no AIA, CRL or OCSP): BouncyCastle's TLS does no network I/O of its own.
/// </summary>
internal sealed class ObservingTlsClient : DefaultTlsClient
{
    private static readonly SecureRandom Random = new();

    // Modern suites first; then what old servers still speak (CBC, RSA key exchange, 3DES), so that a
    // server from 2010 answers too. Filtered to what BouncyCastle's crypto implements.
    private static readonly int[] Offered =
    [
        CipherSuite.TLS_AES_128_GCM_SHA256,
        CipherSuite.TLS_AES_256_GCM_SHA384,
        CipherSuite.TLS_CHACHA20_POLY1305_SHA256,
        CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
        CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
        CipherSuite.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
        CipherSuite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
        CipherSuite.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
        CipherSuite.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
        CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256,
        CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384,
        CipherSuite.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256,
        CipherSuite.TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384,
        CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA,
        CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA,
        CipherSuite.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA,
        CipherSuite.TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA,
        CipherSuite.TLS_DHE_RSA_WITH_AES_128_GCM_SHA256,
        CipherSuite.TLS_DHE_RSA_WITH_AES_256_GCM_SHA384,
        CipherSuite.TLS_DHE_RSA_WITH_AES_128_CBC_SHA256,
        CipherSuite.TLS_DHE_RSA_WITH_AES_256_CBC_SHA256,
        CipherSuite.TLS_DHE_RSA_WITH_AES_128_CBC_SHA,
        CipherSuite.TLS_DHE_RSA_WITH_AES_256_CBC_SHA,
        CipherSuite.TLS_DHE_DSS_WITH_AES_128_CBC_SHA,
        CipherSuite.TLS_RSA_WITH_AES_128_GCM_SHA256,
        CipherSuite.TLS_RSA_WITH_AES_256_GCM_SHA384,
        CipherSuite.TLS_RSA_WITH_AES_128_CBC_SHA256,
        CipherSuite.TLS_RSA_WITH_AES_256_CBC_SHA256,
        CipherSuite.TLS_RSA_WITH_AES_128_CBC_SHA,
        CipherSuite.TLS_RSA_WITH_AES_256_CBC_SHA,
        CipherSuite.TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA,
        CipherSuite.TLS_RSA_WITH_3DES_EDE_CBC_SHA,
    ];

    private readonly string? _serverName;
    private readonly ProtocolVersion _highest;

    /// <param name="highest">The highest version offered (TLS 1.3 for a scan; TLS 1.1 or 1.0 for a probe of what a server still accepts).</param>
    public ObservingTlsClient(string? serverName, ProtocolVersion? highest = null)
        : base(new RecordingCrypto(Random))
    {
        _serverName = serverName;
        _highest = highest ?? ProtocolVersion.TLSv13;
    }

    /// <summary>True once the handshake finished.</summary>
    public bool HandshakeComplete { get; private set; }

    /// <summary>The server's certificates, DER exactly as sent, leaf first; null until the Certificate message parsed.</summary>
    public IReadOnlyList<byte[]>? Chain { get; private set; }

    /// <summary>The version the server chose: "Tls13", "Tls12", "Tls11", "Tls10", "Ssl3"; null before its ServerHello.</summary>
    public string? Protocol { get; private set; }

    public const string Tls13 = "Tls13";
    public const string Tls12 = "Tls12";
    public const string Tls11 = "Tls11";
    public const string Tls10 = "Tls10";

    public override void NotifyServerVersion(ProtocolVersion serverVersion)
    {
        base.NotifyServerVersion(serverVersion);
        Protocol = serverVersion.Equals(ProtocolVersion.TLSv13) ? Tls13
            : serverVersion.Equals(ProtocolVersion.TLSv12) ? Tls12
            : serverVersion.Equals(ProtocolVersion.TLSv11) ? Tls11
            : serverVersion.Equals(ProtocolVersion.TLSv10) ? Tls10
            : serverVersion.Equals(ProtocolVersion.SSLv3) ? "Ssl3"
            : serverVersion.ToString();
    }

    // BouncyCastle asks for the authentication right after the Certificate message parsed and before it
    // processes the key or checks anything, so the chain is kept here even if the handshake fails later.
    public override TlsAuthentication GetAuthentication()
    {
        var parsed = m_context.SecurityParameters.PeerCertificate;
        var recorded = ((RecordingCrypto)Crypto).Encodings;
        Chain = parsed is null || recorded.Count < parsed.Length ? null : recorded.Take(parsed.Length).ToList();
        return new AcceptAnything();
    }

    public override void NotifyHandshakeComplete()
    {
        base.NotifyHandshakeComplete();
        HandshakeComplete = true;
    }

    // Old servers without RFC 5746 still present certificates; we renegotiate nothing.
    public override void NotifySecureRenegotiation(bool secureRenegotiation)
    {
    }

    // Observing: a weak DH group, an unusual signature algorithm on a certificate, a long chain are findings, not reasons to hang up.
    public override TlsDHGroupVerifier GetDHGroupVerifier() => new DefaultTlsDHGroupVerifier(512);

    public override bool ShouldCheckSigAlgOfPeerCerts() => false;

    public override int GetMaxCertificateChainLength() => 64;

    public override int GetMaxHandshakeMessageSize() => 256 * 1024;

    protected override ProtocolVersion[] GetSupportedVersions() => _highest.DownTo(ProtocolVersion.TLSv10);

    protected override int[] GetSupportedCipherSuites() => TlsUtilities.GetSupportedCipherSuites(Crypto, Offered);

    protected override IList<ServerName>? GetSniServerNames() =>
        _serverName is null ? null : [new ServerName(NameType.host_name, Encoding.ASCII.GetBytes(_serverName))];

    // No stapled OCSP response asked for: the scan records certificates only.
    protected override CertificateStatusRequest? GetCertificateStatusRequest() => null;

    private sealed class AcceptAnything : TlsAuthentication
    {
        public void NotifyServerCertificate(TlsServerCertificate serverCertificate)
        {
        }

        public TlsCredentials? GetClientCredentials(CertificateRequest certificateRequest) => null;
    }

    /// <summary>BouncyCastle's crypto, noting each certificate's bytes as received (its parsed form would re-encode them).</summary>
    private sealed class RecordingCrypto(SecureRandom random) : BcTlsCrypto(random)
    {
        public List<byte[]> Encodings { get; } = [];

        public override TlsCertificate CreateCertificate(short type, byte[] encoding)
        {
            Encodings.Add(encoding);
            return type == CertificateType.X509 ? new ObservedCertificate(this, encoding) : base.CreateCertificate(type, encoding);
        }
    }
}
