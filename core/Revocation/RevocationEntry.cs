using Pki.Core.Authority;
namespace Pki.Core.Revocation;

/// <summary>One revoked certificate as CRLs list it.</summary>
/// <param name="RecordedAt">When this entry was (last) written: a delta CRL selects by it, so an entry written late still reaches the delta.</param>
public sealed record RevocationEntry(
    string IssuerId,
    string SerialNumber,
    int Shard,
    DateTimeOffset RevokedAt,
    RevocationReason Reason,
    DateTimeOffset NotAfter,
    DateTimeOffset RecordedAt);
