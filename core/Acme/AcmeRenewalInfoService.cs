using Pki.Core.Authority;

namespace Pki.Core.Acme;

/// <summary>
/// ACME Renewal Information (RFC 9773): when the CA wants a certificate renewed. By default the last third of its
/// lifetime (the second half for lifetimes under 10 days); a revoked certificate's window lies in the past, so clients
/// renew at once; an admin's early renewal (<see cref="AcmeEarlyRenewal"/>) starts it at the moment it was asked for.
/// Unauthenticated, as the RFC has it: a certID names only what a relying party sees anyway.
/// </summary>
public sealed class AcmeRenewalInfoService(ICertificateStore certificates, AcmeEarlyRenewal earlyRenewal, TimeProvider time)
{
    /// <summary>How long a client waits before asking again (Retry-After).</summary>
    public static readonly TimeSpan RetryAfter = TimeSpan.FromHours(6);

    public async Task<AcmeResponse> GetAsync(string certId, CancellationToken cancellationToken = default)
    {
        var id = AcmeCertId.Parse(certId);
        var record = await FindAsync(id, cancellationToken).ConfigureAwait(false)
            ?? throw AcmeProblemException.NotFound("No certificate issued here has that identifier.");
        var renewEarlyAt = record.Status == CertificateStatus.Issued ? await earlyRenewal.RenewEarlyAtAsync(record, cancellationToken).ConfigureAwait(false) : null;
        var (start, end) = Window(record, renewEarlyAt, time.GetUtcNow());
        return new AcmeResponse(200, new RenewalInfoBody(new WindowBody(start, end)), RetryAfterSeconds: (int)RetryAfter.TotalSeconds);
    }

    /// <summary>The certificate a certID names: its serial is ours and its AKI is its issuer's key identifier.</summary>
    public async Task<CertificateRecord?> FindAsync(AcmeCertId id, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(id);
        var record = await certificates.GetAsync(id.SerialNumber, cancellationToken).ConfigureAwait(false);
        if (record is not { Status: CertificateStatus.Issued or CertificateStatus.Revoked, CertificateDer: { } der })
        {
            return null;
        }

        return AcmeCertId.Of(der).KeyIdentifier.AsSpan().SequenceEqual(id.KeyIdentifier) ? record : null;
    }

    /// <summary>How long an early renewal's window stays open.</summary>
    public static readonly TimeSpan EarlyWindow = TimeSpan.FromHours(1);

    public static (DateTimeOffset Start, DateTimeOffset End) Window(CertificateRecord record, DateTimeOffset? renewEarlyAt, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(record);
        if (record.Status == CertificateStatus.Revoked)
        {
            var at = record.RevokedAt is { } revoked && revoked < now ? revoked : now;
            return (at - TimeSpan.FromDays(1), at - TimeSpan.FromMinutes(1));
        }

        var lifetime = record.NotAfter - record.NotBefore;
        var start = lifetime < TimeSpan.FromDays(10) ? record.NotBefore + lifetime / 2 : record.NotAfter - lifetime / 3;

        // The window ends well before expiry, so that a client that renews at its end still has time to retry.
        var end = start + (record.NotAfter - start) / 2;

        // Renewed early: the window opens when the admin asked (or earlier, when it was open already) and closes within
        // the hour, so that a client that follows it renews at its next check.
        return renewEarlyAt is { } early
            ? (early < start ? early : start, early + EarlyWindow < end ? early + EarlyWindow : end)
            : (start, end);
    }

    public sealed record RenewalInfoBody(WindowBody SuggestedWindow);

    public sealed record WindowBody(DateTimeOffset Start, DateTimeOffset End);
}
