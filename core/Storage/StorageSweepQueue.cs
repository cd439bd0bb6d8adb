using Pki.Core.Discovery.Sweeps;

namespace Pki.Core.Storage;

/// <summary>Sends sweep batches to the discovery Storage queue, where the scanner function picks them up.</summary>
public sealed class StorageSweepQueue(QueueStorage queues) : ISweepQueue
{
    public Task SendAsync(SweepBatch batch, CancellationToken cancellationToken = default) =>
        queues.SendJsonAsync(QueueNames.DiscoveryBatches, batch, cancellationToken);
}
