namespace Pki.Core.Events;

/// <summary>Events written after the state they describe committed, kept until they are published.</summary>
public interface IEventOutbox
{
    /// <summary>Adds the event; adding the same event (same id and time) again changes nothing.</summary>
    Task<OutboxEntry> AddAsync(CloudEvent cloudEvent, CancellationToken cancellationToken = default);

    /// <summary>A shard's pending events older than <paramref name="before"/>, oldest first, with their versions and claims.</summary>
    Task<IReadOnlyList<OutboxEntry>> ListPendingAsync(int shard, DateTimeOffset before, int max, CancellationToken cancellationToken = default);

    /// <summary>
    /// Claims listed entries of one shard for one dispatch pass until <paramref name="until"/>: all of them or none, in
    /// one conditional write. Null when any of them changed since it was listed (another pass claimed or removed it).
    /// </summary>
    Task<IReadOnlyList<OutboxEntry>?> TryClaimAsync(IReadOnlyList<OutboxEntry> entries, DateTimeOffset until, CancellationToken cancellationToken = default);

    /// <summary>Gives back claimed entries that could not be published, unless claimed again since, so the next pass need not wait for the claim to run out.</summary>
    Task ReleaseAsync(IReadOnlyList<OutboxEntry> claimed, CancellationToken cancellationToken = default);

    /// <summary>True when an event older than this one is pending in its shard.</summary>
    Task<bool> HasOlderAsync(OutboxEntry entry, CancellationToken cancellationToken = default);

    /// <summary>
    /// Removes a published event: a claimed one only while it is still at the claim's version (a pass that took it over
    /// after the claim ran out removes it itself); one already removed is no error.
    /// </summary>
    Task DeleteAsync(OutboxEntry entry, CancellationToken cancellationToken = default);
}
