using System.Security.Cryptography;
using System.Text;

namespace Pki.Core.Events;

/// <summary>
/// The outbox is split into a fixed number of shards by the event's subject (the certificate), so all events of
/// one certificate sit in one shard in time order, and the dispatcher reads each shard with one partition query.
/// A shard follows the first four characters of the subject: for a certificate's serial that is its storage partition
/// (<see cref="Authority.SerialNumbers.PartitionOf"/>), which concurrent issuances on one instance share, so their
/// events share a shard and go to storage in one transaction.
/// </summary>
public static class OutboxShards
{
    /// <summary>Fixed: changing it would strand pending events in shards the dispatcher no longer reads.</summary>
    public const int Count = 8;

    private const int KeyLength = 4;

    public static int Of(string subject)
    {
        ArgumentException.ThrowIfNullOrEmpty(subject);
        return SHA256.HashData(Encoding.UTF8.GetBytes(subject.Length > KeyLength ? subject[..KeyLength] : subject))[0] % Count;
    }
}
