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

    public async Task UpsertEntityAsync(RenewalIndexEntry entry, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var table = await storage.GetTableAsync(TableNames.RenewalIndex, cancellationToken).ConfigureAwait(false);
        await table.UpsertEntityAsync(ToEntity(entry), TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
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

    private static TableEntity ToEntity(RenewalIndexEntry entry) => new(entry.Day, entry.SerialNumber)
    {
        ["DueAt"] = entry.DueAt,
        ["Planned"] = entry.Planned,
    };
}
