using System.Net;
using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.X509;
using Org.BouncyCastle.X509.Extension;

namespace Pki.Core.Authority;

/// <summary>Reads the key and names back out of a certificate we issued, in the shape a verified CSR has.</summary>
public static class IssuedCertificateReader
{
    public static ParsedCsr Read(byte[] certificateDer)
    {
        ArgumentNullException.ThrowIfNull(certificateDer);
        var certificate = new X509CertificateParser().ReadCertificate(certificateDer)
            ?? throw new ArgumentException("Not a DER certificate.", nameof(certificateDer));
        var dns = new List<string>();
        var ips = new List<IPAddress>();
        var unsupported = new List<string>();
        var san = certificate.GetExtensionValue(X509Extensions.SubjectAlternativeName);
        if (san is not null)
        {
            foreach (var name in GeneralNames.GetInstance(X509ExtensionUtilities.FromExtensionValue(san)).GetNames())
            {
                switch (name.TagNo)
                {
                    case GeneralName.DnsName:
                        dns.Add(DerIA5String.GetInstance(name.Name).GetString());
                        break;
                    case GeneralName.IPAddress:
                        ips.Add(new IPAddress(Asn1OctetString.GetInstance(name.Name).GetOctets()));
                        break;
                    default:
                        unsupported.Add(name.ToString());
                        break;
                }
            }
        }

        var commonNames = certificate.SubjectDN.GetValueList(X509Name.CN);
        return new ParsedCsr(
            certificate.CertificateStructure.SubjectPublicKeyInfo,
            commonNames.Count > 0 ? commonNames[0] : null,
            dns,
            ips,
            unsupported);
    }
}
