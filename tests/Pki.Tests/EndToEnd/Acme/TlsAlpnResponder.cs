using System.Formats.Asn1;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Pki.Tests.EndToEnd.Acme;

/// <summary>
/// A tls-alpn-01 responder for the refusal tests: on 127.0.0.1:port it completes TLS handshakes offering acme-tls/1
/// with whatever certificate a test built (right or wrong in one respect), so the service's validator has to judge it.
/// lego's own responder proves the right answer; this one serves the wrong ones lego would never send.
/// </summary>
public sealed class TlsAlpnResponder : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly X509Certificate2 _certificate;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    private TlsAlpnResponder(int port, X509Certificate2 certificate)
    {
        _certificate = certificate;
        _listener = new TcpListener(IPAddress.Loopback, port);
        _listener.Start();
        _loop = Task.Run(AcceptAsync);
    }

    private int _handshakes;

    private string? _serverName;

    /// <summary>Handshakes completed so far (the validator connected, negotiated acme-tls/1 and got the certificate).</summary>
    public int Handshakes => Volatile.Read(ref _handshakes);

    /// <summary>The SNI of the last handshake that reached the certificate.</summary>
    public string? ServerName => Volatile.Read(ref _serverName);

    public static TlsAlpnResponder Start(int port, X509Certificate2 certificate) => new(port, certificate);

    /// <summary>
    /// A self-signed certificate naming <paramref name="names"/> (DNS names, or IP addresses as iPAddress entries) in its subjectAltName and, unless <paramref name="digest"/>
    /// is null, carrying it in an id-pe-acmeIdentifier extension (critical or not).
    /// </summary>
    public static X509Certificate2 Certificate(string[] names, byte[]? digest, bool critical = true)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=" + names[0], key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        foreach (var name in names)
        {
            if (IPAddress.TryParse(name, out var address))
            {
                san.AddIpAddress(address);
            }
            else
            {
                san.AddDnsName(name);
            }
        }

        request.CertificateExtensions.Add(san.Build());
        if (digest is not null)
        {
            var writer = new AsnWriter(AsnEncodingRules.DER);
            writer.WriteOctetString(digest);
            request.CertificateExtensions.Add(new X509Extension("1.3.6.1.5.5.7.1.31", writer.Encode(), critical));
        }

        // A fixed validity: RFC 8737 validation ignores it, so no verdict depends on the date.
        using var created = request.CreateSelfSigned(new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(2035, 1, 1, 0, 0, 0, TimeSpan.Zero));

        // Through PKCS#12, so the key is one SslStream can use on every platform.
        return X509CertificateLoader.LoadPkcs12(created.Export(X509ContentType.Pkcs12), null);
    }

    /// <summary>The digest RFC 8737 asks for: SHA-256 of the key authorization.</summary>
    public static byte[] Digest(string keyAuthorization) => SHA256.HashData(Encoding.UTF8.GetBytes(keyAuthorization));

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _loop;
        }
        catch (OperationCanceledException)
        {
        }

        _certificate.Dispose();
        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            _ = Task.Run(async () =>
            {
                using (client)
                {
                    await using var tls = new SslStream(client.GetStream());
                    try
                    {
                        await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions
                        {
                            // Recorded while the handshake runs, before the certificate goes out: a validator that has
                            // judged the certificate has already been seen here.
                            ServerCertificateSelectionCallback = (_, serverName) =>
                            {
                                Volatile.Write(ref _serverName, serverName);
                                return _certificate;
                            },
                            ApplicationProtocols = [new SslApplicationProtocol("acme-tls/1")],
                        }, _stop.Token);
                        Interlocked.Increment(ref _handshakes);
                    }
                    catch (Exception e) when (e is IOException or System.Security.Authentication.AuthenticationException or OperationCanceledException)
                    {
                    }
                }
            });
        }
    }
}
