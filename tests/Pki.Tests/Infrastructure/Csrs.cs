using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Pki.Tests.Infrastructure;

/// <summary>CSRs built in-process with .NET's own PKCS#10 writer, for fast unit tests of policy.</summary>
public static class Csrs
{
    public static byte[] Ec(string? commonName, IEnumerable<string>? dnsNames = null, IEnumerable<IPAddress>? ips = null, ECCurve? curve = null, string? email = null)
    {
        using var key = ECDsa.Create(curve ?? ECCurve.NamedCurves.nistP256);
        return Build(new CertificateRequest(Subject(commonName), key, HashAlgorithmName.SHA256), dnsNames, ips, email);
    }

    /// <summary>A CSR whose SAN holds the DNS names exactly as given, even malformed ones .NET's builder refuses.</summary>
    public static byte[] EcWithRawDnsNames(params string[] dnsNames)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(new X500DistinguishedName(string.Empty), key, HashAlgorithmName.SHA256);
        var writer = new System.Formats.Asn1.AsnWriter(System.Formats.Asn1.AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            foreach (var name in dnsNames)
            {
                writer.WriteCharacterString(System.Formats.Asn1.UniversalTagNumber.IA5String, name, new System.Formats.Asn1.Asn1Tag(System.Formats.Asn1.TagClass.ContextSpecific, 2));
            }
        }

        request.CertificateExtensions.Add(new X509Extension("2.5.29.17", writer.Encode(), critical: false));
        return request.CreateSigningRequest();
    }

    public static byte[] Rsa(int bits, string? commonName, IEnumerable<string>? dnsNames = null)
    {
        using var key = RSA.Create(bits);
        return Build(new CertificateRequest(Subject(commonName), key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1), dnsNames, null, null);
    }

    private static X500DistinguishedName Subject(string? commonName) =>
        commonName is null ? new X500DistinguishedName(string.Empty) : new X500DistinguishedName("CN=" + commonName);

    private static byte[] Build(CertificateRequest request, IEnumerable<string>? dnsNames, IEnumerable<IPAddress>? ips, string? email)
    {
        var san = new SubjectAlternativeNameBuilder();
        var any = false;
        foreach (var dns in dnsNames ?? [])
        {
            san.AddDnsName(dns);
            any = true;
        }

        foreach (var ip in ips ?? [])
        {
            san.AddIpAddress(ip);
            any = true;
        }

        if (email is not null)
        {
            san.AddEmailAddress(email);
            any = true;
        }

        if (any)
        {
            request.CertificateExtensions.Add(san.Build());
        }

        return request.CreateSigningRequest();
    }
}
