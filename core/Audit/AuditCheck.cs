namespace Pki.Core.Audit;

/// <summary>The last walk of the audit chain: when, whether it held, how many records, and the first break's sequence when not.</summary>
public sealed record AuditCheck(DateTimeOffset VerifiedAt, bool Ok, long Count, long HeadSequence, long? BrokenAt);
