using Pki.Core.Signing;

namespace Pki.Core.Authority;

/// <summary>A CA of the hierarchy: its certificate and where its key lives.</summary>
public sealed record CertificateAuthority(
    string Id,
    CaRole Role,
    string Subject,
    byte[] CertificateDer,
    string? ParentId,
    DateTimeOffset NotAfter,
    KeyUri KeyUri,
    string KeyProvider,
    SignatureScheme Scheme)
{
    private Org.BouncyCastle.X509.X509Certificate? _certificate;

    public Org.BouncyCastle.X509.X509Certificate Certificate => _certificate ??= new Org.BouncyCastle.X509.X509Certificate(CertificateDer);

    /// <summary>The subject Name's DER exactly as the certificate carries it (CRLs and OCSP name the issuer with these bytes).</summary>
    public byte[] SubjectNameDer => Certificate.CertificateStructure.TbsCertificate.Subject.GetEncoded(Org.BouncyCastle.Asn1.Asn1Encodable.Der);

    /// <summary>The key identifier from the certificate's subjectKeyIdentifier extension.</summary>
    public byte[] SubjectKeyId =>
        Org.BouncyCastle.Asn1.X509.SubjectKeyIdentifier.GetInstance(
            Org.BouncyCastle.X509.Extension.X509ExtensionUtilities.FromExtensionValue(
                Certificate.GetExtensionValue(Org.BouncyCastle.Asn1.X509.X509Extensions.SubjectKeyIdentifier))).GetKeyIdentifier();
}
