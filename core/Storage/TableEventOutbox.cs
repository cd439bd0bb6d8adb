using System.Globalization;
using Azure;
using Azure.Data.Tables;
using Pki.Core.Events;

namespace Pki.Core.Storage;

/// <summary>
/// The event outbox: PartitionKey <c>pending-{shard}</c>, RowKey <c>{event time in ticks, 19 digits}-{event id}</c>.
/// Only pending events are stored (a published one is deleted), so every read is a single-partition range query
/// over what is still to send, never a scan of what was sent.
/// </summary>
public sealed class TableEventOutbox(TableStorage storage) : IEventOutbox
{
    private const string PartitionPrefix = "pending-";

    public async Task<OutboxEntry> AddAsync(CloudEvent cloudEvent, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(cloudEvent);
        var entry = new OutboxEntry(OutboxShards.Of(cloudEvent.Subject), Key(cloudEvent.Time, string.Empty) + cloudEvent.Id, cloudEvent);
        var table = await storage.GetTableAsync(TableNames.EventOutbox, cancellationToken).ConfigureAwait(false);

        // A 409 is the same event written before (same time and id): already pending, nothing to do.
        await table.TryAddEntityAsync(
            new TableEntity(Partition(entry.Shard), entry.Key) { ["Type"] = cloudEvent.Type, ["Subject"] = cloudEvent.Subject, ["Event"] = cloudEvent.ToJson() },
            cancellationToken).ConfigureAwait(false);
        return entry;
    }

    public async Task<IReadOnlyList<OutboxEntry>> ListPendingAsync(int shard, DateTimeOffset before, int max, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(max, 1);
        var table = await storage.GetTableAsync(TableNames.EventOutbox, cancellationToken).ConfigureAwait(false);
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {Partition(shard)} and RowKey lt {Key(before, string.Empty)}");
        var entries = new List<OutboxEntry>();
        await foreach (var entity in table.QueryAsync<TableEntity>(filter, maxPerPage: max, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            entries.Add(new OutboxEntry(shard, entity.RowKey, CloudEvent.Parse(entity.GetString("Event"))));
            if (entries.Count == max)
            {
                break;
            }
        }

        return entries;
    }

    public async Task<bool> HasOlderAsync(OutboxEntry entry, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var table = await storage.GetTableAsync(TableNames.EventOutbox, cancellationToken).ConfigureAwait(false);
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {Partition(entry.Shard)} and RowKey lt {entry.Key}");
        await foreach (var _ in table.QueryAsync<TableEntity>(filter, maxPerPage: 1, select: ["RowKey"], cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            return true;
        }

        return false;
    }

    public async Task DeleteAsync(OutboxEntry entry, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var table = await storage.GetTableAsync(TableNames.EventOutbox, cancellationToken).ConfigureAwait(false);
        try
        {
            await table.DeleteEntityAsync(Partition(entry.Shard), entry.Key, ETag.All, cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            // Another dispatch removed it first.
        }
    }

    private static string Partition(int shard) => PartitionPrefix + shard.ToString(CultureInfo.InvariantCulture);

    private static string Key(DateTimeOffset time, string id) => time.UtcTicks.ToString("D19", CultureInfo.InvariantCulture) + "-" + id;
}
