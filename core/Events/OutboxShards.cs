using System.Security.Cryptography;
using System.Text;

namespace Pki.Core.Events;

/// <summary>
/// The outbox is split into a fixed number of shards by the event's subject (the certificate), so all events of
/// one certificate sit in one shard in time order, and the dispatcher reads each shard with one partition query.
/// </summary>
public static class OutboxShards
{
    /// <summary>Fixed: changing it would strand pending events in shards the dispatcher no longer reads.</summary>
    public const int Count = 8;

    public static int Of(string subject)
    {
        ArgumentException.ThrowIfNullOrEmpty(subject);
        return SHA256.HashData(Encoding.UTF8.GetBytes(subject))[0] % Count;
    }
}
