using System.Security.Cryptography;
using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Security;
using Org.BouncyCastle.X509;
using Pki.Core.Errors;

namespace Pki.Core.Inventory;

/// <summary>What one certificate says about itself, read once from its DER, whoever issued it.</summary>
public sealed class CertificateFacts
{
    private CertificateFacts(byte[] der, X509Certificate certificate)
    {
        Der = der;
        Certificate = certificate;
        Fingerprint = Convert.ToHexStringLower(SHA256.HashData(der));
        Subject = certificate.SubjectDN.ToString();
        Issuer = certificate.IssuerDN.ToString();
        SerialNumber = Convert.ToHexStringLower(certificate.SerialNumber.ToByteArrayUnsigned());
        NotBefore = new DateTimeOffset(certificate.NotBefore.ToUniversalTime(), TimeSpan.Zero);
        NotAfter = new DateTimeOffset(certificate.NotAfter.ToUniversalTime(), TimeSpan.Zero);
        SignatureAlgorithm = SignatureAlgorithmName(certificate);
        (KeyAlgorithm, KeySize) = KeyOf(certificate);
        IsCa = certificate.GetBasicConstraints() >= 0;
        (DnsNames, IpAddresses) = AltNames(certificate);
        IsSelfIssued = certificate.SubjectDN.Equivalent(certificate.IssuerDN, inOrder: true);
        IsSelfSigned = IsSelfIssued && SignedBy(certificate.GetPublicKey());
        (HasOcspUrl, HasCrlUrl) = RevocationUrls(certificate);
    }

    public byte[] Der { get; }

    public X509Certificate Certificate { get; }

    /// <summary>Lowercase hex SHA-256 of the DER: the inventory's key.</summary>
    public string Fingerprint { get; }

    public string Subject { get; }

    public string Issuer { get; }

    public string SerialNumber { get; }

    public DateTimeOffset NotBefore { get; }

    public DateTimeOffset NotAfter { get; }

    /// <summary>"RSA", "EC" (with the curve in <see cref="KeySize"/> as its field size), "Ed25519", or the key OID.</summary>
    public string KeyAlgorithm { get; }

    /// <summary>Modulus bits for RSA, field bits for EC; 0 when unknown.</summary>
    public int KeySize { get; }

    /// <summary>Such as "SHA256WITHRSA", "SHA1WITHRSA", "SHA256WITHECDSA", "MD5WITHRSA".</summary>
    public string SignatureAlgorithm { get; }

    public bool IsCa { get; }

    public bool IsSelfIssued { get; }

    public bool IsSelfSigned { get; }

    public IReadOnlyList<string> DnsNames { get; }

    public IReadOnlyList<string> IpAddresses { get; }

    /// <summary>Whether authorityInfoAccess names an OCSP responder by URI.</summary>
    public bool HasOcspUrl { get; }

    /// <summary>Whether cRLDistributionPoints (or freshestCRL) names a CRL by URI.</summary>
    public bool HasCrlUrl { get; }

    /// <summary>The subject's commonName, if any.</summary>
    public string? CommonName => Certificate.SubjectDN.GetValueList(X509Name.CN).FirstOrDefault();

    /// <summary>Reads a DER certificate; anything else is a 400 problem, as it comes from a caller or a network peer.</summary>
    public static CertificateFacts Read(byte[] der)
    {
        ArgumentNullException.ThrowIfNull(der);
        try
        {
            var certificate = new X509Certificate(X509CertificateStructure.GetInstance(Asn1Object.FromByteArray(der)));
            return new CertificateFacts(der, certificate);
        }
        catch (Exception e) when (e is not (OutOfMemoryException or ProblemException))
        {
            // Bytes from a network peer may break any parser in any way; each way is the same refusal.
            throw ProblemException.BadRequest("invalid-certificate", $"Not a DER X.509 certificate: {e.Message}");
        }
    }

    /// <summary>True when <paramref name="issuer"/>'s key verifies this certificate's signature (any algorithm, even a weak one).</summary>
    public bool SignedBy(CertificateFacts issuer) =>
        Certificate.IssuerDN.Equivalent(issuer.Certificate.SubjectDN, inOrder: true) && SignedBy(issuer.Certificate.GetPublicKey());

    private bool SignedBy(Org.BouncyCastle.Crypto.AsymmetricKeyParameter key)
    {
        try
        {
            return Certificate.IsSignatureValid(key);
        }
        catch (Exception e) when (e is InvalidKeyException or SignatureException or SecurityUtilityException or ArgumentException or InvalidOperationException)
        {
            return false;
        }
    }

    private static string SignatureAlgorithmName(X509Certificate certificate)
    {
        try
        {
            return certificate.SigAlgName;
        }
        catch (Exception e) when (e is SecurityUtilityException or ArgumentException)
        {
            return certificate.SigAlgOid;
        }
    }

    private static (string Algorithm, int Size) KeyOf(X509Certificate certificate)
    {
        try
        {
            return certificate.GetPublicKey() switch
            {
                RsaKeyParameters rsa => ("RSA", rsa.Modulus.BitLength),
                ECPublicKeyParameters ec => ("EC", ec.Parameters.Curve.FieldSize),
                Ed25519PublicKeyParameters => ("Ed25519", 256),
                Ed448PublicKeyParameters => ("Ed448", 456),
                DsaPublicKeyParameters dsa => ("DSA", dsa.Parameters.P.BitLength),
                _ => (certificate.SubjectPublicKeyInfo.Algorithm.Algorithm.Id, 0),
            };
        }
        catch (Exception e) when (e is SecurityUtilityException or ArgumentException or InvalidOperationException)
        {
            return (certificate.SubjectPublicKeyInfo.Algorithm.Algorithm.Id, 0);
        }
    }

    /// <summary>Where a relying party could check revocation; an extension that does not parse names nothing.</summary>
    private static (bool Ocsp, bool Crl) RevocationUrls(X509Certificate certificate)
    {
        static bool IsUri(GeneralName name) => name.TagNo == GeneralName.UniformResourceIdentifier;

        bool ocsp = false, crl = false;
        try
        {
            if (certificate.GetExtensionValue(X509Extensions.AuthorityInfoAccess) is { } aia)
            {
                ocsp = AuthorityInformationAccess.GetInstance(Asn1Object.FromByteArray(aia.GetOctets())).GetAccessDescriptions()
                    .Any(d => d.AccessMethod.Equals(AccessDescription.IdADOcsp) && IsUri(d.AccessLocation));
            }
        }
        catch (Exception e) when (e is ArgumentException or InvalidCastException or IOException or InvalidOperationException)
        {
        }

        foreach (var oid in new[] { X509Extensions.CrlDistributionPoints, X509Extensions.FreshestCrl })
        {
            try
            {
                if (certificate.GetExtensionValue(oid) is { } points)
                {
                    crl |= CrlDistPoint.GetInstance(Asn1Object.FromByteArray(points.GetOctets())).GetDistributionPoints()
                        .Any(p => p.DistributionPointName is { Type: DistributionPointName.FullName } name && GeneralNames.GetInstance(name.Name).GetNames().Any(IsUri));
                }
            }
            catch (Exception e) when (e is ArgumentException or InvalidCastException or IOException or InvalidOperationException)
            {
            }
        }

        return (ocsp, crl);
    }

    private static (IReadOnlyList<string> Dns, IReadOnlyList<string> Ip) AltNames(X509Certificate certificate)
    {
        var dns = new List<string>();
        var ip = new List<string>();
        var names = certificate.GetSubjectAlternativeNameExtension();
        foreach (var name in names?.GetNames() ?? [])
        {
            switch (name.TagNo)
            {
                case GeneralName.DnsName:
                    dns.Add(((IAsn1String)name.Name).GetString().ToLowerInvariant());
                    break;
                case GeneralName.IPAddress:
                    var bytes = Asn1OctetString.GetInstance(name.Name).GetOctets();
                    if (bytes.Length is 4 or 16)
                    {
                        ip.Add(new System.Net.IPAddress(bytes).ToString());
                    }

                    break;
            }
        }

        return (dns, ip);
    }
}
