namespace Pki.Core.Revocation;

/// <summary>A shard of a CA holding a revocation that no published CRL may hold yet.</summary>
/// <param name="Version">The marker's version when read: clearing it succeeds only if no revocation marked it again since.</param>
public sealed record PendingShard(int Shard, string Version);
