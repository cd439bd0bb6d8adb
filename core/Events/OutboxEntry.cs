namespace Pki.Core.Events;

/// <summary>An event waiting in the outbox: its shard and its key there (time first, so a shard reads in event order).</summary>
public sealed record OutboxEntry(int Shard, string Key, CloudEvent Event);
