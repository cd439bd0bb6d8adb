using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Pki.Tests.Infrastructure;

/// <summary>An HTTPS server on a free loopback port with a certificate made here, for the test doubles of Azure services.</summary>
public static class LoopbackHttps
{
    /// <summary>A short-lived self-signed TLS server certificate (EC P-256, serverAuth) for the names <paramref name="addNames"/> adds.</summary>
    public static X509Certificate2 ServerCertificate(string commonName, Action<SubjectAlternativeNameBuilder> addNames)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=" + commonName, key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        addNames(san);
        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], critical: false));
        var now = DateTimeOffset.UtcNow;
        return request.CreateSelfSigned(now.AddMinutes(-5), now.AddHours(2));
    }

    /// <summary>A client handler that trusts exactly <paramref name="tlsCertificate"/>, the double's own, and nothing else.</summary>
    public static SocketsHttpHandler PinnedHandler(X509Certificate2 tlsCertificate) => new()
    {
        SslOptions =
        {
            RemoteCertificateValidationCallback = (_, presented, _, _) =>
                presented is not null && presented.GetRawCertData().AsSpan().SequenceEqual(tlsCertificate.RawData),
        },
    };

    /// <summary>Starts Kestrel on 127.0.0.1 (a free port) with <paramref name="tlsCertificate"/>, answering every request with <paramref name="handle"/>.</summary>
    public static async Task<WebApplication> StartAsync(X509Certificate2 tlsCertificate, RequestDelegate handle)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrelHttpsConfiguration();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen => listen.UseHttps(tlsCertificate)));
        var app = builder.Build();
        app.Run(handle);
        await app.StartAsync();
        return app;
    }
}
