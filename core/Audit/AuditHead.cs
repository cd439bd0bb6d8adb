namespace Pki.Core.Audit;

/// <summary>
/// The chain's anchor: the last record's sequence, hash and time, and the store's version of the head row.
/// An append succeeds only against the version it read, so two appends cannot both follow one record.
/// </summary>
public sealed record AuditHead(long Sequence, string Hash, DateTimeOffset Time, string Version);
