namespace Pki.Core.Revocation;

/// <summary>One revoked certificate as CRLs list it.</summary>
public sealed record RevocationEntry(
    string IssuerId,
    string SerialNumber,
    int Shard,
    DateTimeOffset RevokedAt,
    RevocationReason Reason,
    DateTimeOffset NotAfter);
