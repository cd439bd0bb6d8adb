namespace Pki.Core.Audit;

/// <summary>One linked record of a batch, with the once key that makes its change recorded at most once.</summary>
public sealed record AuditAppend(AuditRecord Record, string? OnceKey);
