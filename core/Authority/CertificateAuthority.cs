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
}
