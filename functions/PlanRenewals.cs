using Microsoft.Azure.Functions.Worker;
using Pki.Core;
using Pki.Core.Renewal;

namespace Pki.Functions;

/// <summary>The renewal planning pass: due buckets of the renewal index → one renewal-batches message per batch of due certificates.</summary>
public sealed class PlanRenewals(RenewalPlanner planner)
{
    [Function(nameof(PlanRenewals))]
    public Task Run([TimerTrigger(Schedules.RenewalPlanning)] TimerInfo timer, CancellationToken cancellationToken) =>
        planner.PlanAsync(cancellationToken);
}
