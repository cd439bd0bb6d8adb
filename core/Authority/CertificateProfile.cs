using Org.BouncyCastle.Asn1.X509;

namespace Pki.Core.Authority;

/// <summary>What a certificate of one kind looks like and may contain.</summary>
public sealed record CertificateProfile(
    string Name,
    KeyPurposeID ExtendedKeyUsage,
    bool RequiresSubjectAltName,
    int MaxValidityDays);
