using Pki.Core.Events;

namespace Pki.Core.Storage;

/// <summary>
/// Local stand-in for the Service Bus topic: one storage queue message per event, its body the structured CloudEvent
/// JSON (base64-encoded like every queue message here). A storage queue has no duplicate detection: an event sent
/// again after a crash arrives twice, with the same id.
/// </summary>
public sealed class StorageQueueEventPublisher(QueueStorage queues) : ILifecycleEventPublisher
{
    public async Task PublishAsync(IReadOnlyList<CloudEvent> events, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(events);
        var queue = await queues.GetQueueAsync(QueueNames.LifecycleEvents, cancellationToken).ConfigureAwait(false);
        foreach (var cloudEvent in events)
        {
            await queue.SendMessageAsync(BinaryData.FromBytes(cloudEvent.ToJsonBytes()), cancellationToken: cancellationToken).ConfigureAwait(false);
        }
    }
}
