using Microsoft.Azure.Functions.Worker;
using Pki.Core.Renewal;
using Pki.Core.Storage;

namespace Pki.Functions;

/// <summary>
/// One batch of due certificates per message → one renewals-queue message per certificate, for RenewCertificate; a
/// failure leaves the batch to the queue's retries, then renewal-batches-poison.
/// </summary>
public sealed class FanOutRenewals(RenewalFanOut fanOut)
{
    [Function(nameof(FanOutRenewals))]
    public Task Run(
        [QueueTrigger(QueueNames.RenewalBatches, Connection = QueueNames.Connection)] RenewalBatch batch,
        long dequeueCount,
        CancellationToken cancellationToken) =>
        fanOut.FanOutAsync(batch, dequeueCount, cancellationToken);
}
