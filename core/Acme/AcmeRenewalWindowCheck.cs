using Pki.Core.Authority;
using Pki.Core.Renewal;

namespace Pki.Core.Acme;

/// <summary>
/// The renewer's question about an ACME certificate (<see cref="IExternalRenewal"/>), answered from renewal information:
/// replaced when an order that named it in <c>replaces</c> got its certificate; waiting until its suggested window
/// (RFC 9773, with any early-renewal mark) closes, when it puts the certificate back in the renewal index at that
/// moment so that the same fan-out brings it back; overdue once the window has closed with no replacement, and then the
/// renewer sends the owner the notice it sends for a certificate it could not renew.
/// </summary>
public sealed class AcmeRenewalWindowCheck(IAcmeStore store, AcmeEarlyRenewal earlyRenewal, IRenewalIndex index, TimeProvider time) : IExternalRenewal
{
    public async Task<ExternalRenewalDecision?> CheckAsync(CertificateRecord certificate, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        var issued = await store.FindCertificateAsync(certificate.SerialNumber, cancellationToken).ConfigureAwait(false);
        if (issued is null)
        {
            return null;
        }

        // A replacing order counts once it has its certificate: an order that named this one and was never finalized replaced nothing.
        var replacing = issued.ReplacedByOrderId is { } orderId ? await store.GetOrderAsync(orderId, cancellationToken).ConfigureAwait(false) : null;
        if (replacing?.Value.SerialNumber is { } successor)
        {
            return new ExternalRenewalDecision(ExternalRenewalState.Replaced, $"ACME order {replacing.Value.Id} replaced it with {successor}.");
        }

        var now = time.GetUtcNow();
        var renewEarlyAt = await earlyRenewal.RenewEarlyAtAsync(certificate, cancellationToken).ConfigureAwait(false);
        var (_, end) = AcmeRenewalInfoService.Window(certificate, renewEarlyAt, now);
        if (now < end)
        {
            await index.UpsertEntityAsync(new RenewalIndexEntry(RenewalDays.Of(end), certificate.SerialNumber, end), CancellationToken.None).ConfigureAwait(false);
            return new ExternalRenewalDecision(ExternalRenewalState.Waiting, $"Its ACME client may renew it until its renewal window closes at {end:O}; checked again then.");
        }

        return new ExternalRenewalDecision(ExternalRenewalState.Overdue,
            $"Its ACME client did not replace it within its renewal window, which closed at {end:O}; it expires at {certificate.NotAfter:O}. Check the client, or renew it by hand.");
    }
}
