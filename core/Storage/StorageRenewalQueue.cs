using Pki.Core.Renewal;

namespace Pki.Core.Storage;

/// <summary>Sends renewal messages to the renewals Storage queue, where the renewer function picks them up.</summary>
public sealed class StorageRenewalQueue(QueueStorage queues) : IRenewalQueue
{
    public Task SendAsync(RenewalMessage message, CancellationToken cancellationToken = default) =>
        queues.SendJsonAsync(QueueNames.Renewals, message, cancellationToken);
}
