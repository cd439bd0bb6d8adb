using System.Net;
using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.Pkcs;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Pkcs;
using Pki.Core.Authority.Policy;
using Pki.Core.Errors;

namespace Pki.Core.Authority;

/// <summary>Reads a PKCS#10 request (RFC 2986) in PEM or base64 DER and proves its signature.</summary>
public static class CsrParser
{
    private const string PemBegin = "-----BEGIN ";

    public static ParsedCsr Parse(string? csr)
    {
        if (string.IsNullOrWhiteSpace(csr))
        {
            throw ProblemException.BadRequest("missing-csr", "Put a PKCS#10 certificate signing request in 'csr', as PEM or base64-encoded DER.");
        }

        return Parse(Decode(csr));
    }

    public static ParsedCsr Parse(byte[] der)
    {
        Pkcs10CertificationRequest request;
        try
        {
            request = new Pkcs10CertificationRequest(der);
            // The constructor is lazy about trailing garbage; a re-encoding must match what we were given.
            if (!request.GetDerEncoded().AsSpan().SequenceEqual(der))
            {
                throw new ArgumentException("trailing or non-DER data");
            }
        }
        catch (Exception e) when (e is not ProblemException)
        {
            throw ProblemException.BadRequest("csr-malformed", $"The CSR is not a valid PKCS#10 request in PEM or base64-encoded DER ({e.Message.TrimEnd('.')}).");
        }

        // Key limits before the signature check: verifying with a huge RSA modulus or exponent costs
        // seconds of CPU, so such keys are refused without being used.
        var info = request.GetCertificationRequestInfo();
        KeyRule.CheckKey(info.SubjectPublicKeyInfo);

        bool verified;
        try
        {
            verified = request.Verify();
        }
        catch (Exception e)
        {
            throw ProblemException.Unprocessable("csr-signature-unsupported", $"The CSR's signature cannot be checked: {e.Message.TrimEnd('.')}. Sign it with ECDSA or RSA and SHA-256 or stronger.");
        }

        if (!verified)
        {
            throw ProblemException.BadRequest("csr-signature-invalid", "The CSR's signature does not verify with the public key it carries; it was altered or signed with another key.");
        }

        try
        {
            return ReadNames(request, info);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or InvalidCastException or IOException or FormatException)
        {
            throw ProblemException.BadRequest("csr-malformed", $"The CSR's subject or requested extensions are malformed ({e.Message.TrimEnd('.')}).");
        }
    }

    private static ParsedCsr ReadNames(Pkcs10CertificationRequest request, CertificationRequestInfo info)
    {
        var commonName = info.Subject.GetValueList(X509Name.CN).FirstOrDefault();
        var dnsNames = new List<string>();
        var ipAddresses = new List<IPAddress>();
        var unsupported = new List<string>();

        var extensions = request.GetRequestedExtensions();
        var san = extensions?.GetExtension(X509Extensions.SubjectAlternativeName);
        if (san is not null)
        {
            foreach (var name in GeneralNames.GetInstance(san.GetParsedValue()).GetNames())
            {
                switch (name.TagNo)
                {
                    case GeneralName.DnsName:
                        dnsNames.Add(((IAsn1String)name.Name).GetString());
                        break;
                    case GeneralName.IPAddress:
                        var octets = Asn1OctetString.GetInstance(name.Name).GetOctets();
                        if (octets.Length is 4 or 16)
                        {
                            ipAddresses.Add(new IPAddress(octets));
                        }
                        else
                        {
                            unsupported.Add("an IP address of " + octets.Length + " bytes");
                        }

                        break;
                    default:
                        unsupported.Add(DescribeTag(name.TagNo));
                        break;
                }
            }
        }

        return new ParsedCsr(info.SubjectPublicKeyInfo, commonName, dnsNames, ipAddresses, unsupported);
    }

    private static byte[] Decode(string csr)
    {
        var text = csr.Trim();
        if (text.StartsWith(PemBegin, StringComparison.Ordinal))
        {
            var headerEnd = text.IndexOf("-----", PemBegin.Length, StringComparison.Ordinal);
            var label = headerEnd < 0 ? string.Empty : text[PemBegin.Length..headerEnd];
            if (label is not ("CERTIFICATE REQUEST" or "NEW CERTIFICATE REQUEST"))
            {
                throw ProblemException.BadRequest("csr-malformed", $"The PEM block is '{Shorten(label)}', not 'CERTIFICATE REQUEST'.");
            }

            var footer = "-----END " + label + "-----";
            var footerAt = text.IndexOf(footer, StringComparison.Ordinal);
            if (footerAt < 0)
            {
                throw ProblemException.BadRequest("csr-malformed", $"The PEM block has no '{footer}' line; it is truncated.");
            }

            text = text[(headerEnd + 5)..footerAt];
        }

        try
        {
            return Convert.FromBase64String(string.Concat(text.Where(c => !char.IsWhiteSpace(c))));
        }
        catch (FormatException)
        {
            throw ProblemException.BadRequest("csr-malformed", "The CSR is neither a PEM 'CERTIFICATE REQUEST' block nor base64-encoded DER.");
        }
    }

    private static string DescribeTag(int tag) => tag switch
    {
        GeneralName.Rfc822Name => "an email address",
        GeneralName.UniformResourceIdentifier => "a URI",
        GeneralName.DirectoryName => "a directory name",
        GeneralName.OtherName => "an otherName",
        GeneralName.RegisteredID => "a registered ID",
        _ => "a name of type " + tag,
    };

    private static string Shorten(string value) => value.Length <= 40 ? value : value[..40] + "…";
}
