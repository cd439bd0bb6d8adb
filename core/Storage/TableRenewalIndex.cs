using System.Runtime.CompilerServices;
using Azure;
using Azure.Data.Tables;
using Pki.Core.Renewal;

namespace Pki.Core.Storage;

/// <summary>
/// The renewal index: PartitionKey the due day (yyyyMMdd), RowKey the serial; the planner's cursor is one row of
/// its own partition. Every access is a point operation or a single-partition query.
/// </summary>
public sealed class TableRenewalIndex(TableStorage storage) : IRenewalIndex
{
    /// <summary>Sorts after every day, so a bucket query never meets it.</summary>
    public const string CursorPartition = "cursor";

    /// <summary>Table Storage's limit of actions in one entity group transaction.</summary>
    public const int MaxBatch = 100;

    /// <summary>Group-committed with concurrent entries of the same due day.</summary>
    public async Task UpsertEntityAsync(RenewalIndexEntry entry, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entry);
        await storage.UpsertAsync(TableNames.RenewalIndex, ToEntity(entry), cancellationToken).ConfigureAwait(false);
    }

    public async IAsyncEnumerable<RenewalIndexEntry> QueryDayAsync(string day, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(day);
        var table = await storage.GetTableAsync(TableNames.RenewalIndex, cancellationToken).ConfigureAwait(false);
        await foreach (var e in table.QueryAsync<TableEntity>(x => x.PartitionKey == day, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            yield return new RenewalIndexEntry(e.PartitionKey, e.RowKey, e.GetDateTimeOffset("DueAt")!.Value, e.GetBoolean("Planned") ?? false, e.ETag.ToString());
        }
    }

    public async Task<bool> TryMarkPlannedAsync(RenewalIndexEntry entry, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var table = await storage.GetTableAsync(TableNames.RenewalIndex, cancellationToken).ConfigureAwait(false);
        try
        {
            await table.UpdateEntityAsync(ToEntity(entry with { Planned = true }), entry.Version is null ? ETag.All : new ETag(entry.Version), TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (RequestFailedException e) when (e.Status is 412 or 404)
        {
            return false;
        }
    }

    /// <summary>Entity group transactions of up to 100 rows of one partition; a batch with a changed row falls back to one by one.</summary>
    public async Task<int> MarkPlannedAsync(IReadOnlyList<RenewalIndexEntry> entries, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var table = await storage.GetTableAsync(TableNames.RenewalIndex, cancellationToken).ConfigureAwait(false);
        var marked = 0;
        foreach (var batch in entries.GroupBy(e => e.Day).SelectMany(g => g.Chunk(MaxBatch)))
        {
            var actions = batch.Select(e => new TableTransactionAction(
                TableTransactionActionType.UpdateReplace, ToEntity(e with { Planned = true }), e.Version is null ? ETag.All : new ETag(e.Version)));
            try
            {
                await table.SubmitTransactionAsync(actions, cancellationToken).ConfigureAwait(false);
                marked += batch.Length;
            }
            catch (TableTransactionFailedException e) when (e.Status is 412 or 404)
            {
                foreach (var entry in batch)
                {
                    marked += await TryMarkPlannedAsync(entry, cancellationToken).ConfigureAwait(false) ? 1 : 0;
                }
            }
        }

        return marked;
    }

    public async Task<string?> GetCursorAsync(CancellationToken cancellationToken = default)
    {
        var table = await storage.GetTableAsync(TableNames.RenewalIndex, cancellationToken).ConfigureAwait(false);
        var response = await table.GetEntityIfExistsAsync<TableEntity>(CursorPartition, string.Empty, cancellationToken: cancellationToken).ConfigureAwait(false);
        return response.HasValue ? response.Value!.GetString("Day") : null;
    }

    public async Task SetCursorAsync(string day, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(day);
        var table = await storage.GetTableAsync(TableNames.RenewalIndex, cancellationToken).ConfigureAwait(false);
        await table.UpsertEntityAsync(new TableEntity(CursorPartition, string.Empty) { ["Day"] = day }, TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The stored shape of an entry; internal so the planning benchmark seeds exactly what issuance writes.</summary>
    internal static TableEntity ToEntity(RenewalIndexEntry entry) => new(entry.Day, entry.SerialNumber)
    {
        ["DueAt"] = entry.DueAt,
        ["Planned"] = entry.Planned,
    };
}
