using Org.BouncyCastle.Math;

namespace Pki.Core.Authority;

/// <summary>
/// An "issuing" record before its serial is drawn: everything <see cref="RecordedIssuance"/> reserves except the serial
/// and what follows from it (the CRL shard, when <see cref="CrlShardCount"/> is given). A <see cref="Journaled"/>
/// draft's issuance-journal entry is opened before the reservation, so the repair pass finishes what a crash leaves of
/// it; the OCSP responders' own certificates are not journaled (nothing is derived from them).
/// </summary>
public sealed record ReservationDraft(
    string IssuerId,
    string Profile,
    string Owner,
    string Subject,
    DateTimeOffset NotBefore,
    DateTimeOffset NotAfter,
    string RequestId,
    DateTimeOffset CreatedAt,
    bool Journaled,
    int? CrlShardCount = null,
    bool? AutoRenew = null,
    string? PredecessorSerial = null,
    string? Team = null)
{
    /// <summary>The "issuing" record under <paramref name="serial"/>.</summary>
    public CertificateRecord For(BigInteger serial)
    {
        var serialHex = SerialNumbers.ToHex(serial);
        return new CertificateRecord(
            serialHex, IssuerId, CertificateStatus.Issuing, Profile, Owner, Subject, NotBefore, NotAfter, RequestId, CreatedAt,
            CrlShard: CrlShardCount is { } shards ? CrlShards.Of(serialHex, shards) : null,
            AutoRenew: AutoRenew, PredecessorSerial: PredecessorSerial, Team: Team);
    }
}
