using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using Pki.Core;
using Pki.Core.Notifications;
using Pki.Core.Storage;

namespace Pki.Functions;

/// <summary>
/// Notices to owners: PlanNotices finds crossed expiry thresholds, SendNotice sends one notice per message, SendDigests
/// sends the daily digests.
/// </summary>
public sealed class Notices(ExpiryNoticePlanner planner, NotificationService notices, DigestService digests, ILogger<Notices> logger)
{
    /// <summary>
    /// The expiry-notice pass: crossed thresholds of the expiry-notice index → notice requests on the notifications queue
    /// and expiring/expired events. A timer of its own, not a step of PlanRenewals: it covers every owned certificate in
    /// the inventory (discovered ones too, which never renew here), keeps its own cursor so a failure of one pass does not
    /// hold the other's, and runs hourly where renewal planning runs every 15 minutes.
    /// </summary>
    [Function(nameof(PlanNotices))]
    public Task PlanNotices([TimerTrigger(Schedules.NoticePlanning)] TimerInfo timer, CancellationToken cancellationToken) =>
        planner.PlanAsync(cancellationToken);

    /// <summary>One notice per message; a failed channel leaves the message to the queue's retries, then its poison queue.</summary>
    [Function(nameof(SendNotice))]
    public Task SendNotice(
        [QueueTrigger(QueueNames.Notifications, Connection = QueueNames.Connection)] NoticeRequest request,
        string id,
        long dequeueCount,
        CancellationToken cancellationToken) =>
        notices.ProcessAsync(request, id, dequeueCount, cancellationToken);

    [Function(nameof(SendDigests))]
    public async Task SendDigests([TimerTrigger(Schedules.NoticeDigest)] TimerInfo timer, CancellationToken cancellationToken)
    {
        var sent = await digests.SendAsync(cancellationToken);
        logger.LogInformation("Daily digests sent: {Count}", sent);
    }
}
