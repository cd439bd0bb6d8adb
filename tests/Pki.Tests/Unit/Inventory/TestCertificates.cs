using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Pki.Core.Inventory;

namespace Pki.Tests.Unit.Inventory;

/// <summary>Small chains made with .NET's CertificateRequest, for rules that need no external judge.</summary>
internal static class TestCertificates
{
    public static readonly DateTimeOffset Now = new(2026, 11, 27, 12, 0, 0, TimeSpan.Zero);

    public static (X509Certificate2 Cert, CertificateFacts Facts) Root(string name = "CN=Test Root")
    {
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(name, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        var cert = request.CreateSelfSigned(Now.AddDays(-10), Now.AddYears(5));
        return (cert, CertificateFacts.Read(cert.RawData));
    }

    /// <summary>A certificate of <paramref name="issuer"/>; like a real CA's, it names a CRL unless <paramref name="crl"/> is false.</summary>
    public static (X509Certificate2 Cert, CertificateFacts Facts) Issued(X509Certificate2 issuer, string name, bool ca = false, string[]? dns = null, DateTimeOffset? notAfter = null, DateTimeOffset? notBefore = null, bool crl = true)
    {
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(name, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(ca, false, 0, true));
        if (crl)
        {
            request.CertificateExtensions.Add(CertificateRevocationListBuilder.BuildCrlDistributionPointExtension(["http://crl.example.test/ca.crl"]));
        }

        if (dns is not null)
        {
            var san = new SubjectAlternativeNameBuilder();
            foreach (var d in dns)
            {
                san.AddDnsName(d);
            }

            request.CertificateExtensions.Add(san.Build());
        }

        var cert = request.Create(issuer, notBefore ?? Now.AddDays(-1), notAfter ?? Now.AddDays(90), RandomNumberGenerator.GetBytes(16));
        var withKey = ca ? cert.CopyWithPrivateKey(key) : cert;
        return (withKey, CertificateFacts.Read(cert.RawData));
    }

    public static CertificateFacts Rsa(int bits, HashAlgorithmName hash, bool selfSigned = true)
    {
        using var key = RSA.Create(bits);
        var request = new CertificateRequest("CN=rsa.test", key, hash, RSASignaturePadding.Pkcs1);
        return CertificateFacts.Read(request.CreateSelfSigned(Now.AddDays(-1), Now.AddDays(30)).RawData);
    }
}
