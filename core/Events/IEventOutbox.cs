namespace Pki.Core.Events;

/// <summary>Events written after the state they describe committed, kept until they are published.</summary>
public interface IEventOutbox
{
    /// <summary>Adds the event; adding the same event (same id and time) again changes nothing.</summary>
    Task<OutboxEntry> AddAsync(CloudEvent cloudEvent, CancellationToken cancellationToken = default);

    /// <summary>A shard's pending events older than <paramref name="before"/>, oldest first.</summary>
    Task<IReadOnlyList<OutboxEntry>> ListPendingAsync(int shard, DateTimeOffset before, int max, CancellationToken cancellationToken = default);

    /// <summary>True when an event older than this one is pending in its shard.</summary>
    Task<bool> HasOlderAsync(OutboxEntry entry, CancellationToken cancellationToken = default);

    /// <summary>Removes a published event; one already removed is no error.</summary>
    Task DeleteAsync(OutboxEntry entry, CancellationToken cancellationToken = default);
}
