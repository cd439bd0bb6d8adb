using Microsoft.Extensions.Options;
using Pki.Core.Authority;

namespace Pki.Core.Renewal;

/// <summary>
/// Writes an issued certificate's renewal index entry, in the bucket of the day it falls due
/// (<see cref="RenewalPolicy.DueAt"/>), so the planner finds it by reading only the days that are due. An issuance
/// observer like the others: written beside the answer, and by the repair pass after a crash (an upsert: a repeat
/// changes nothing).
/// </summary>
public sealed class RenewalIndexer(IRenewalIndex index, IOptions<PkiOptions> options) : IIssuanceObserver
{
    public Task OnIssuedAsync(CertificateRecord certificate, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        return index.UpsertEntityAsync(Entry(certificate, options.Value.Renewal), cancellationToken);
    }

    /// <summary>The entry of <paramref name="certificate"/>: never due before it was made, so its bucket does not lie behind a planner cursor that already passed it.</summary>
    public static RenewalIndexEntry Entry(CertificateRecord certificate, RenewalOptions renewal)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        var due = RenewalPolicy.DueAt(certificate.NotBefore, certificate.NotAfter, renewal);
        due = due < certificate.CreatedAt ? certificate.CreatedAt : due;
        return new RenewalIndexEntry(RenewalDays.Of(due), certificate.SerialNumber, due);
    }
}
