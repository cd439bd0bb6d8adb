namespace Pki.Core.Health;

/// <summary>One published CRL (<c>ca/full</c>, <c>ca/delta</c>, <c>ca/shard-N</c>): its nextUpdate, and whether it is still current.</summary>
/// <param name="Status">current, stale (nextUpdate passed) or missing (never published).</param>
public sealed record CrlHealth(string CaId, string Crl, long? CrlNumber, DateTimeOffset? ThisUpdate, DateTimeOffset? NextUpdate, string Status);
