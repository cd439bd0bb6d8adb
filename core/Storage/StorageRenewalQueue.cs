using Pki.Core.Renewal;

namespace Pki.Core.Storage;

/// <summary>
/// Sends renewal batches to the renewal-batches Storage queue (for the fan-out function) and single renewals to the
/// renewals queue (for the renewer function).
/// </summary>
public sealed class StorageRenewalQueue(QueueStorage queues) : IRenewalQueue
{
    public Task SendAsync(RenewalMessage message, CancellationToken cancellationToken = default) =>
        queues.SendJsonAsync(QueueNames.Renewals, message, cancellationToken);

    public Task SendBatchAsync(RenewalBatch batch, CancellationToken cancellationToken = default) =>
        queues.SendJsonAsync(QueueNames.RenewalBatches, batch, cancellationToken);
}
