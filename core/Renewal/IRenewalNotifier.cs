namespace Pki.Core.Renewal;

/// <summary>
/// Tells a certificate's owner that it is due and will not renew itself. The notifications capability implements it
/// (Pki.Core.Notifications.QueueRenewalNotifier: a notice request on the notifications queue, deduplicated there).
/// </summary>
public interface IRenewalNotifier
{
    Task NotifyOwnerNotRenewedAsync(RenewalNotice notice, CancellationToken cancellationToken = default);
}
