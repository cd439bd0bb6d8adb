using Microsoft.Azure.Functions.Worker;
using Pki.Core;
using Pki.Core.Renewal;
using Pki.Core.Storage;

namespace Pki.Functions;

/// <summary>
/// Renewal, timer to queue: PlanRenewals reads the due buckets of the renewal index into renewal-batches messages,
/// FanOutRenewals turns each batch into one renewals message per certificate, RenewCertificate renews one; RequestRenewal
/// takes a pipeline's renewal request. A failure leaves the message to the queue's retries, then the queue's poison queue.
/// </summary>
public sealed class Renewals(RenewalPlanner planner, RenewalFanOut fanOut, RenewalService renewals, RenewalRequestService requests)
{
    /// <summary>The renewal planning pass: due buckets of the renewal index → one renewal-batches message per batch of due certificates.</summary>
    [Function(nameof(PlanRenewals))]
    public Task PlanRenewals([TimerTrigger(Schedules.RenewalPlanning)] TimerInfo timer, CancellationToken cancellationToken) =>
        planner.PlanAsync(cancellationToken);

    /// <summary>One batch of due certificates per message → one renewals-queue message per certificate, for RenewCertificate.</summary>
    [Function(nameof(FanOutRenewals))]
    public Task FanOutRenewals(
        [QueueTrigger(QueueNames.RenewalBatches, Connection = QueueNames.Connection)] RenewalBatch batch,
        long dequeueCount,
        CancellationToken cancellationToken) =>
        fanOut.FanOutAsync(batch, dequeueCount, cancellationToken);

    /// <summary>One renewal per message (put there by FanOutRenewals, or by a planner from before batches).</summary>
    [Function(nameof(RenewCertificate))]
    public Task RenewCertificate(
        [QueueTrigger(QueueNames.Renewals, Connection = QueueNames.Connection)] RenewalMessage message,
        long dequeueCount,
        CancellationToken cancellationToken) =>
        renewals.RenewAsync(message, dequeueCount, cancellationToken);

    /// <summary>A pipeline's renewal request. A policy refusal is final (audited and logged once, the message completes).</summary>
    [Function(nameof(RequestRenewal))]
    public Task RequestRenewal(
        [QueueTrigger(QueueNames.RenewalRequests, Connection = QueueNames.Connection)] RenewalRequest request,
        long dequeueCount,
        CancellationToken cancellationToken) =>
        requests.HandleAsync(request, dequeueCount, cancellationToken);
}
