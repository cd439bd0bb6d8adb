using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Pki.Core.Renewal;

namespace Pki.Core.Notifications;

/// <summary>
/// Tells the owner of a due certificate that will not renew itself: a notice request at the threshold the certificate
/// is inside of (the next one ahead when none was crossed yet) on the notifications queue, so the notices table sends it
/// once however often the renewer is asked; and the warning line the renewer always logged.
/// </summary>
public sealed class QueueRenewalNotifier(INoticeQueue queue, IOptions<PkiOptions> options, TimeProvider time, ILogger<QueueRenewalNotifier> logger) : IRenewalNotifier
{
    public async Task NotifyOwnerNotRenewedAsync(RenewalNotice notice, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(notice);
        var certificate = notice.Certificate;
        logger.LogWarning(
            "Certificate {SerialNumber} of owner {Owner} is due for renewal and was not renewed ({Reason}): {Detail}",
            certificate.SerialNumber, certificate.Owner, notice.Reason, notice.Detail);
        if (certificate.CertificateDer is not { } der)
        {
            return;
        }

        var daysLeft = (certificate.NotAfter - time.GetUtcNow()).TotalDays;
        var threshold = ExpiryThresholds.Current(daysLeft, options.Value.Notifications.Thresholds);
        await queue.SendAsync(new NoticeRequest(Convert.ToHexStringLower(SHA256.HashData(der)), threshold, RecipientLevel.Owner), cancellationToken).ConfigureAwait(false);
    }
}
