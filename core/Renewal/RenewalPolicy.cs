using Pki.Core.Authority;

namespace Pki.Core.Renewal;

/// <summary>When a certificate is due, and whether it renews itself.</summary>
public static class RenewalPolicy
{
    /// <summary>
    /// notBefore + fraction × lifetime, or expiry minus the configured days when that is earlier: the earlier
    /// moment wins, so a short certificate still gets its fraction and a long one never gets closer than the days.
    /// Never before notBefore.
    /// </summary>
    public static DateTimeOffset DueAt(DateTimeOffset notBefore, DateTimeOffset notAfter, RenewalOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var lifetime = notAfter - notBefore;
        var due = notBefore + (lifetime * options.RenewAfterFraction);
        if (options.RenewDaysBeforeExpiry is { } days)
        {
            var byDays = notAfter.AddDays(-days);
            if (byDays < due)
            {
                due = byDays;
            }
        }

        return due < notBefore ? notBefore : due;
    }

    /// <summary>Auto-renewal is on by default for the TLS profiles; a request may turn it off.</summary>
    public static bool AutoRenewByDefault(string profile) =>
        profile is ProfileNames.TlsServer or ProfileNames.TlsClient;

    public static bool AutoRenews(CertificateRecord certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        return certificate.AutoRenew ?? AutoRenewByDefault(certificate.Profile);
    }
}
