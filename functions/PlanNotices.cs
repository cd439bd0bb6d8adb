using Microsoft.Azure.Functions.Worker;
using Pki.Core;
using Pki.Core.Notifications;

namespace Pki.Functions;

/// <summary>
/// The expiry-notice pass: crossed thresholds of the expiry-notice index → notice requests on the notifications queue
/// and expiring/expired events. A timer of its own, not a step of PlanRenewals: it covers every owned certificate in
/// the inventory (discovered ones too, which never renew here), keeps its own cursor so a failure of one pass does not
/// hold the other's, and runs hourly where renewal planning runs every 15 minutes.
/// </summary>
public sealed class PlanNotices(ExpiryNoticePlanner planner)
{
    [Function(nameof(PlanNotices))]
    public Task Run([TimerTrigger(Schedules.NoticePlanning)] TimerInfo timer, CancellationToken cancellationToken) =>
        planner.PlanAsync(cancellationToken);
}
