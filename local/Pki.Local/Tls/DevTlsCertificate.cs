using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Pki.Core.Access;
using Pki.Core.Authority;

namespace Pki.Local.Tls;

/// <summary>
/// The dev host's HTTPS server certificate, issued by our own CA through the ordinary pipeline (profile tls-server,
/// team and names from <see cref="DevHostOptions"/>) on the first TLS handshake after the CA is up, and again when
/// two thirds of its lifetime have passed. Its key lives in this process only. Clients trust the root
/// (GET /api/ca/{root}/certificate), as the README says.
/// </summary>
public sealed class DevTlsCertificate(CertificateService certificates, CallerContext callers, TimeProvider time, IOptions<DevHostOptions> options, ILogger<DevTlsCertificate> logger)
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private SslStreamCertificateContext? _current;

    /// <summary>The certificate to present; issues one when there is none or it is due. Throws while the CA is not ready.</summary>
    public X509Certificate2 Get() => Context().TargetCertificate;

    /// <summary>The certificate with the issuing CA above it, as a handshake sends them (clients hold only the root).</summary>
    public SslStreamCertificateContext Context()
    {
        var current = _current;
        if (current is not null && !Due(current.TargetCertificate))
        {
            return current;
        }

        _gate.Wait();
        try
        {
            if (_current is null || Due(_current.TargetCertificate))
            {
                _current = IssueAsync().GetAwaiter().GetResult();
            }

            return _current;
        }
        finally
        {
            _gate.Release();
        }
    }

    private bool Due(X509Certificate2 certificate)
    {
        var lifetime = certificate.NotAfter - certificate.NotBefore;
        return time.GetUtcNow().UtcDateTime >= certificate.NotBefore.ToUniversalTime() + lifetime * 2 / 3;
    }

    private async Task<SslStreamCertificateContext> IssueAsync()
    {
        var settings = options.Value;
        IReadOnlyList<string> tlsNames = settings.TlsNames.Count > 0 ? settings.TlsNames : DevHostOptions.DefaultTlsNames;
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var names = new SubjectAlternativeNameBuilder();
        foreach (var name in tlsNames)
        {
            if (System.Net.IPAddress.TryParse(name, out var address))
            {
                names.AddIpAddress(address);
            }
            else
            {
                names.AddDnsName(name);
            }
        }

        // No commonName: the names are in the subjectAltName, where clients look.
        var request = new CertificateRequest(new X500DistinguishedName(string.Empty), key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(names.Build());
        var csr = request.CreateSigningRequestPem();
        using (callers.Enter(Caller.System))
        {
            var issued = await certificates.RequestAsync(
                new CertificateRequestInput(csr, ProfileNames.TlsServer, settings.TlsOwner, ValidityDays: null, AutoRenew: false, Team: settings.TlsTeam), idempotencyKey: null).ConfigureAwait(false);
            logger.LogInformation("Serving HTTPS with certificate {SerialNumber} for {Names}, issued by our CA", issued.Certificate.SerialNumber, string.Join(", ", tlsNames));
            using var certificate = X509Certificate2.CreateFromPem(issued.Certificate.CertificatePem);
            using var withKey = certificate.CopyWithPrivateKey(key);

            // Kestrel needs the key in a form SslStream can use on every platform: a PKCS#12 round trip.
            var leaf = X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
            var chain = new X509Certificate2Collection();
            chain.ImportFromPem(issued.Certificate.ChainPem);
            return SslStreamCertificateContext.Create(leaf, chain, offline: true);
        }
    }
}
