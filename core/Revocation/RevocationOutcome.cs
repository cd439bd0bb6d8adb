namespace Pki.Core.Revocation;

/// <summary>What a revoke call returns; AlreadyRevoked says a repeat changed nothing.</summary>
public sealed record RevocationOutcome(string SerialNumber, string Status, DateTimeOffset RevokedAt, string Reason, bool AlreadyRevoked);
