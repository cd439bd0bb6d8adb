namespace Pki.Core.Authority;

/// <summary>
/// Whether a certificate renews itself: a fact of its record (the request's choice, else its profile's default), which
/// the certificate views show and the renewal capability acts on.
/// </summary>
public static class AutoRenewal
{
    /// <summary>Auto-renewal is on by default for the TLS profiles; a request may turn it off.</summary>
    public static bool AutoRenewByDefault(string profile) =>
        profile is ProfileNames.TlsServer or ProfileNames.TlsClient;

    public static bool AutoRenews(CertificateRecord certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        return certificate.AutoRenew ?? AutoRenewByDefault(certificate.Profile);
    }
}
