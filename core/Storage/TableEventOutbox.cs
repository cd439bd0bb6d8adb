using System.Globalization;
using Azure;
using Azure.Data.Tables;
using Pki.Core.Events;

namespace Pki.Core.Storage;

/// <summary>
/// The event outbox: PartitionKey <c>pending-{shard}</c>, RowKey <c>{event time in ticks, 19 digits}-{event id}</c>.
/// Only pending events are stored (a published one is deleted), so every read is a single-partition range query
/// over what is still to send, never a scan of what was sent. A dispatch pass claims a page by writing ClaimedUntil
/// on its rows in one entity group transaction, conditional on the ETags it listed.
/// </summary>
public sealed class TableEventOutbox(TableStorage storage) : IEventOutbox
{
    /// <summary>An entity group transaction takes at most this many operations.</summary>
    public const int MaxClaim = 100;

    private const string PartitionPrefix = "pending-";
    private const string ClaimedUntil = "ClaimedUntil";

    public async Task<OutboxEntry> AddAsync(CloudEvent cloudEvent, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(cloudEvent);
        var entry = new OutboxEntry(OutboxShards.Of(cloudEvent.Subject), Key(cloudEvent.Time, string.Empty) + cloudEvent.Id, cloudEvent);
        // Group-committed with concurrent events of its shard. A 409 is the same event written before (same time and
        // id): already pending, nothing to do.
        await storage.TryAddAsync(TableNames.EventOutbox, ToEntity(entry), cancellationToken).ConfigureAwait(false);
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
            entries.Add(new OutboxEntry(shard, entity.RowKey, CloudEvent.Parse(entity.GetString("Event")), entity.ETag.ToString(), entity.GetDateTimeOffset(ClaimedUntil)));
            if (entries.Count == max)
            {
                break;
            }
        }

        return entries;
    }

    public async Task<IReadOnlyList<OutboxEntry>?> TryClaimAsync(IReadOnlyList<OutboxEntry> entries, DateTimeOffset until, CancellationToken cancellationToken = default)
    {
        var table = await GetBatchTableAsync(entries, cancellationToken).ConfigureAwait(false);
        if (entries.Count == 0)
        {
            return [];
        }

        var claims = entries.Select(e => new TableTransactionAction(
            TableTransactionActionType.UpdateMerge, new TableEntity(Partition(e.Shard), e.Key) { [ClaimedUntil] = until }, VersionOf(e)));
        try
        {
            var response = await table.SubmitTransactionAsync(claims, cancellationToken).ConfigureAwait(false);
            return entries.Select((e, i) => e with { Version = response.Value[i].Headers.ETag?.ToString(), ClaimedUntil = until }).ToArray();
        }
        catch (TableTransactionFailedException e) when (e.Status is 404 or 412)
        {
            // One row was claimed or removed since it was listed, so the whole page stays with whoever did that.
            return null;
        }
    }

    public async Task ReleaseAsync(IReadOnlyList<OutboxEntry> claimed, CancellationToken cancellationToken = default)
    {
        var table = await GetBatchTableAsync(claimed, cancellationToken).ConfigureAwait(false);
        if (claimed.Count == 0)
        {
            return;
        }

        // Replaced without ClaimedUntil, at the claim's version: a row another pass claimed after ours ran out stays its.
        try
        {
            await table.SubmitTransactionAsync(
                claimed.Select(e => new TableTransactionAction(TableTransactionActionType.UpdateReplace, ToEntity(e), VersionOf(e))), cancellationToken).ConfigureAwait(false);
        }
        catch (TableTransactionFailedException e) when (e.Status is 404 or 412)
        {
            // Taken over or published by another pass meanwhile: nothing of ours is left to give back.
        }
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

        // Group-committed with concurrent deletes of its shard. Gone or changed (false): another dispatch removed it
        // first, or took it over after our claim ran out and removes it itself.
        await storage.TryDeleteAsync(TableNames.EventOutbox, Partition(entry.Shard), entry.Key, entry.Version is null ? ETag.All : new ETag(entry.Version), cancellationToken).ConfigureAwait(false);
    }

    private async Task<TableClient> GetBatchTableAsync(IReadOnlyList<OutboxEntry> entries, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entries);
        if (entries.Count > MaxClaim || entries.Any(e => e.Shard != entries[0].Shard))
        {
            throw new ArgumentException($"One transaction takes up to {MaxClaim} entries of one shard; got {entries.Count} of shards {string.Join(", ", entries.Select(e => e.Shard).Distinct())}.", nameof(entries));
        }

        return await storage.GetTableAsync(TableNames.EventOutbox, cancellationToken).ConfigureAwait(false);
    }

    private static ETag VersionOf(OutboxEntry entry) =>
        entry.Version is { } version ? new ETag(version) : throw new ArgumentException($"Outbox entry {entry.Key} has no version; claim only entries as listed.", nameof(entry));

    private static TableEntity ToEntity(OutboxEntry entry) =>
        new(Partition(entry.Shard), entry.Key) { ["Type"] = entry.Event.Type, ["Subject"] = entry.Event.Subject, ["Event"] = entry.Event.ToJson() };

    private static string Partition(int shard) => PartitionPrefix + shard.ToString(CultureInfo.InvariantCulture);

    private static string Key(DateTimeOffset time, string id) => time.UtcTicks.ToString("D19", CultureInfo.InvariantCulture) + "-" + id;
}
