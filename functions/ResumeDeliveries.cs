using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using Pki.Core;
using Pki.Core.Delivery;

namespace Pki.Functions;

/// <summary>Advances the Key Vault operations in flight whose wait is over; each step is safe to repeat.</summary>
public sealed class ResumeDeliveries(KeyVaultDelivery delivery, ILogger<ResumeDeliveries> logger)
{
    [Function(nameof(ResumeDeliveries))]
    public async Task Run([TimerTrigger(Schedules.DeliveryResume)] TimerInfo timer, CancellationToken cancellationToken)
    {
        var outcome = await delivery.ResumeAsync(cancellationToken);
        if (outcome.Delivered + outcome.Pending + outcome.Cancelled + outcome.Failed > 0)
        {
            logger.LogWarning("Key Vault delivery pass: {Delivered} delivered, {Pending} still pending, {Cancelled} cancelled, {Failed} failed, {Waiting} waiting for their next attempt",
                outcome.Delivered, outcome.Pending, outcome.Cancelled, outcome.Failed, outcome.Waiting);
        }
    }
}
