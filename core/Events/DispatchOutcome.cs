namespace Pki.Core.Events;

/// <summary>What one dispatch pass did: events published, and shards left for the next pass because publishing failed.</summary>
public sealed record DispatchOutcome(int Published, int FailedShards);
