namespace Pki.Core.Events;

/// <summary>
/// Sends events to where consumers read them: a Service Bus topic in Azure, a storage queue locally.
/// Returns only when every event was accepted; throws otherwise, and the caller keeps them to try again.
/// </summary>
public interface ILifecycleEventPublisher
{
    Task PublishAsync(IReadOnlyList<CloudEvent> events, CancellationToken cancellationToken = default);
}
