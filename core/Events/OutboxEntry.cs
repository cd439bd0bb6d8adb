namespace Pki.Core.Events;

/// <summary>
/// An event waiting in the outbox: its shard and its key there (time first, so a shard reads in event order), the
/// row's version as read (for conditional writes; null where none was read) and until when a dispatch pass claimed it.
/// </summary>
public sealed record OutboxEntry(int Shard, string Key, CloudEvent Event, string? Version = null, DateTimeOffset? ClaimedUntil = null);
