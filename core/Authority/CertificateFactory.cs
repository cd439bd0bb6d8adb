using System.Net;
using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Math;
using Org.BouncyCastle.X509;
using Org.BouncyCastle.X509.Extension;
using Pki.Core.Authority.Policy;
using Pki.Core.Signing;

namespace Pki.Core.Authority;

/// <summary>Builds the three kinds of certificate with BouncyCastle; the signature comes from our signer.</summary>
public sealed class CertificateFactory(CaUrls urls)
{
    public X509Certificate CreateRoot(ISigner signer, string subject, BigInteger serial, DateTimeOffset notBefore, DateTimeOffset notAfter)
    {
        var name = DistinguishedName(subject);
        var spki = SubjectPublicKeyInfo.GetInstance(signer.Key.SubjectPublicKeyInfo);
        var gen = Start(serial, name, name, spki, notBefore, notAfter);
        gen.AddExtension(X509Extensions.BasicConstraints, true, new BasicConstraints(true));
        gen.AddExtension(X509Extensions.KeyUsage, true, new KeyUsage(KeyUsage.KeyCertSign | KeyUsage.CrlSign));
        AddKeyIdentifiers(gen, spki, spki);
        return gen.Generate(new SignerSignatureFactory(signer));
    }

    public X509Certificate CreateIssuing(CertificateAuthority root, ISigner rootSigner, byte[] subjectPublicKeyInfo, string subject, BigInteger serial, DateTimeOffset notBefore, DateTimeOffset notAfter)
    {
        var spki = SubjectPublicKeyInfo.GetInstance(subjectPublicKeyInfo);
        var gen = Start(serial, root.Certificate.SubjectDN, DistinguishedName(subject), spki, notBefore, notAfter);
        gen.AddExtension(X509Extensions.BasicConstraints, true, new BasicConstraints(0));
        gen.AddExtension(X509Extensions.KeyUsage, true, new KeyUsage(KeyUsage.KeyCertSign | KeyUsage.CrlSign | KeyUsage.DigitalSignature));
        AddIssuerLinks(gen, root, spki);
        return gen.Generate(new SignerSignatureFactory(rootSigner));
    }

    public X509Certificate CreateLeaf(CertificateAuthority issuer, ISigner issuerSigner, LeafTemplate leaf)
    {
        ArgumentNullException.ThrowIfNull(leaf);

        // Invariant: the key is written in its canonical encoding whatever the template came from (a CSR, a renewal
        // of an older certificate); a requester's odd encoding would make the certificate unreadable to some clients.
        var publicKey = KeyRule.CheckKey(leaf.PublicKey);
        var gen = Start(leaf.Serial, issuer.Certificate.SubjectDN, SubjectOf(leaf), publicKey, leaf.NotBefore, leaf.NotAfter);
        gen.AddExtension(X509Extensions.BasicConstraints, true, new BasicConstraints(false));

        // RSA keys may be used for key transport in TLS 1.2 RSA suites; EC keys only sign, and so does a code
        // signer's key of any kind (the CA/B Forum code-signing requirements allow digitalSignature alone).
        var isRsa = publicKey.Algorithm.Algorithm.Equals(Org.BouncyCastle.Asn1.Pkcs.PkcsObjectIdentifiers.RsaEncryption);
        var transportsKeys = isRsa && leaf.Profile.NamesHosts;
        gen.AddExtension(X509Extensions.KeyUsage, true, new KeyUsage(transportsKeys ? KeyUsage.DigitalSignature | KeyUsage.KeyEncipherment : KeyUsage.DigitalSignature));
        gen.AddExtension(X509Extensions.ExtendedKeyUsage, false, new ExtendedKeyUsage(leaf.Profile.ExtendedKeyUsage));
        if (leaf.DnsNames.Count + leaf.IpAddresses.Count > 0)
        {
            var names = leaf.DnsNames.Select(d => new GeneralName(GeneralName.DnsName, DnsNames.ToLowerAscii(d)))
                .Concat(leaf.IpAddresses.Select(ip => new GeneralName(GeneralName.IPAddress, new DerOctetString(ip.GetAddressBytes()))))
                .ToArray();
            gen.AddExtension(X509Extensions.SubjectAlternativeName, leaf.CommonName is null, new GeneralNames(names));
        }

        AddIssuerLinks(gen, issuer, publicKey, leaf.CrlShard);
        return gen.Generate(new SignerSignatureFactory(issuerSigner));
    }

    /// <summary>
    /// A delegated OCSP responder certificate (RFC 6960 4.2.2.2): id-kp-OCSPSigning and id-pkix-ocsp-nocheck,
    /// so relying parties trust it for the CA's responses without checking its own status.
    /// </summary>
    public X509Certificate CreateOcspResponder(CertificateAuthority issuer, ISigner issuerSigner, byte[] subjectPublicKeyInfo, BigInteger serial, DateTimeOffset notBefore, DateTimeOffset notAfter)
    {
        var spki = SubjectPublicKeyInfo.GetInstance(subjectPublicKeyInfo);
        var subject = new X509Name(new List<DerObjectIdentifier> { X509Name.CN }, new List<string> { "OCSP Responder for " + issuer.Id });
        var gen = Start(serial, issuer.Certificate.SubjectDN, subject, spki, notBefore, notAfter);
        gen.AddExtension(X509Extensions.BasicConstraints, true, new BasicConstraints(false));
        gen.AddExtension(X509Extensions.KeyUsage, true, new KeyUsage(KeyUsage.DigitalSignature));
        gen.AddExtension(X509Extensions.ExtendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeID.id_kp_OCSPSigning));
        gen.AddExtension(Org.BouncyCastle.Asn1.Ocsp.OcspObjectIdentifiers.PkixOcspNocheck, false, DerNull.Instance);
        AddKeyIdentifiers(gen, spki, issuer.Certificate.SubjectPublicKeyInfo);
        return gen.Generate(new SignerSignatureFactory(issuerSigner));
    }

    /// <summary>
    /// Reads a configured name as RFC 4514 writes it, least significant first ("CN=Root,O=Org"), so the
    /// certificate holds the conventional order O then CN.
    /// </summary>
    public static X509Name DistinguishedName(string rfc4514) => new(true, rfc4514);

    /// <summary>The RFC 4514 string of a name, the inverse of <see cref="DistinguishedName"/>.</summary>
    public static string Rfc4514(X509Name name) => name.ToString(true, X509Name.DefaultSymbols);

    private static X509Name SubjectOf(LeafTemplate leaf) =>
        leaf.CommonName is null
            ? new X509Name(new List<DerObjectIdentifier>(), new List<string>())
            : new X509Name(new List<DerObjectIdentifier> { X509Name.CN }, new List<string> { leaf.CommonName });

    /// <summary>A CRLDistributionPoints (or freshestCRL) value naming one URL.</summary>
    public static CrlDistPoint DistributionPoints(string url) =>
        new([new DistributionPoint(new DistributionPointName(new GeneralNames(new GeneralName(GeneralName.UniformResourceIdentifier, url))), null, null)]);

    /// <param name="crlShard">For a leaf: its CRL shard, named in its distribution point, with the delta CRL as freshestCRL.</param>
    private void AddIssuerLinks(X509V3CertificateGenerator gen, CertificateAuthority issuer, SubjectPublicKeyInfo subjectKey, int? crlShard = null)
    {
        AddKeyIdentifiers(gen, subjectKey, issuer.Certificate.SubjectPublicKeyInfo);
        if (crlShard is { } shard)
        {
            gen.AddExtension(X509Extensions.CrlDistributionPoints, false, DistributionPoints(urls.ShardCrl(issuer.Id, shard)));
            gen.AddExtension(X509Extensions.FreshestCrl, false, DistributionPoints(urls.DeltaCrl(issuer.Id)));
        }
        else
        {
            gen.AddExtension(X509Extensions.CrlDistributionPoints, false, DistributionPoints(urls.Crl(issuer.Id)));
        }

        gen.AddExtension(X509Extensions.AuthorityInfoAccess, false, new AuthorityInformationAccess(
        [
            new AccessDescription(AccessDescription.IdADOcsp, new GeneralName(GeneralName.UniformResourceIdentifier, urls.Ocsp())),
            new AccessDescription(AccessDescription.IdADCAIssuers, new GeneralName(GeneralName.UniformResourceIdentifier, urls.CaIssuers(issuer.Id))),
        ]));
    }

    /// <summary>subjectKeyIdentifier of the certificate's key and authorityKeyIdentifier of its issuer's (RFC 5280 4.2.1.1-2, method 1).</summary>
    private static void AddKeyIdentifiers(X509V3CertificateGenerator gen, SubjectPublicKeyInfo subjectKey, SubjectPublicKeyInfo issuerKey)
    {
        gen.AddExtension(X509Extensions.SubjectKeyIdentifier, false, X509ExtensionUtilities.CreateSubjectKeyIdentifier(subjectKey));
        gen.AddExtension(X509Extensions.AuthorityKeyIdentifier, false, new AuthorityKeyIdentifier(KeyIdentifier(issuerKey)));
    }

    private static byte[] KeyIdentifier(SubjectPublicKeyInfo spki) =>
        X509ExtensionUtilities.CreateSubjectKeyIdentifier(spki).GetKeyIdentifier();

    private static X509V3CertificateGenerator Start(BigInteger serial, X509Name issuer, X509Name subject, SubjectPublicKeyInfo spki, DateTimeOffset notBefore, DateTimeOffset notAfter)
    {
        var gen = new X509V3CertificateGenerator();
        gen.SetSerialNumber(serial);
        gen.SetIssuerDN(issuer);
        gen.SetSubjectDN(subject);
        gen.SetSubjectPublicKeyInfo(spki);
        gen.SetNotBefore(notBefore.UtcDateTime);
        gen.SetNotAfter(notAfter.UtcDateTime);
        return gen;
    }
}
