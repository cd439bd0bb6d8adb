using System.Globalization;
using System.Runtime.CompilerServices;
using Azure;
using Azure.Data.Tables;
using Pki.Core.Notifications;

namespace Pki.Core.Storage;

/// <summary>
/// The expiry-notice index: PartitionKey the UTC day a threshold is crossed (yyyyMMdd), RowKey
/// <c>{fingerprint}-{threshold:0000}</c>; the pass's cursor is one row of its own partition. Every access is a point
/// operation or a single-partition query.
/// </summary>
public sealed class TableExpiryNoticeIndex(TableStorage storage) : IExpiryNoticeIndex
{
    /// <summary>Sorts after every day, so a bucket query never meets it.</summary>
    public const string CursorPartition = "cursor";

    /// <summary>Table Storage's limit of actions in one entity group transaction.</summary>
    public const int MaxBatch = 100;

    public static string RowKey(string fingerprint, int thresholdDays) =>
        fingerprint + "-" + thresholdDays.ToString("0000", CultureInfo.InvariantCulture);

    public async Task AddAsync(IReadOnlyList<ExpiryNoticeEntry> entries, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entries);
        foreach (var entry in entries)
        {
            // Group-committed with entries of the same day. A 409 is the entry written before (perhaps handled
            // already): left as it is, so nothing is noticed twice.
            await storage.TryAddAsync(TableNames.NoticeIndex, ToEntity(entry), cancellationToken).ConfigureAwait(false);
        }
    }

    public async IAsyncEnumerable<ExpiryNoticeEntry> QueryDayAsync(string day, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(day);
        var table = await storage.GetTableAsync(TableNames.NoticeIndex, cancellationToken).ConfigureAwait(false);
        await foreach (var e in table.QueryAsync<TableEntity>(x => x.PartitionKey == day, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            yield return new ExpiryNoticeEntry(
                e.PartitionKey,
                e.GetString("Fingerprint"),
                e.GetInt32("ThresholdDays") ?? 0,
                e.GetDateTimeOffset("CrossesAt")!.Value,
                e.GetDateTimeOffset("NotAfter")!.Value,
                e.GetBoolean("Planned") ?? false,
                e.ETag.ToString());
        }
    }

    /// <summary>Entity group transactions of up to 100 rows of one partition; a batch with a changed row falls back to one by one.</summary>
    public async Task<int> MarkPlannedAsync(IReadOnlyList<ExpiryNoticeEntry> entries, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var table = await storage.GetTableAsync(TableNames.NoticeIndex, cancellationToken).ConfigureAwait(false);
        var marked = 0;
        foreach (var batch in entries.GroupBy(e => e.Day).SelectMany(g => g.Chunk(MaxBatch)))
        {
            try
            {
                await table.SubmitTransactionAsync(batch.Select(Mark), cancellationToken).ConfigureAwait(false);
                marked += batch.Length;
            }
            catch (TableTransactionFailedException e) when (e.Status is 412 or 404)
            {
                foreach (var entry in batch)
                {
                    try
                    {
                        await table.UpdateEntityAsync(ToEntity(entry with { Planned = true }), Version(entry), TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
                        marked++;
                    }
                    catch (RequestFailedException failed) when (failed.Status is 412 or 404)
                    {
                        // Changed or gone meanwhile: the next pass reads it again.
                    }
                }
            }
        }

        return marked;
    }

    public async Task<string?> GetCursorAsync(CancellationToken cancellationToken = default)
    {
        var table = await storage.GetTableAsync(TableNames.NoticeIndex, cancellationToken).ConfigureAwait(false);
        var response = await table.GetEntityIfExistsAsync<TableEntity>(CursorPartition, string.Empty, cancellationToken: cancellationToken).ConfigureAwait(false);
        return response.HasValue ? response.Value!.GetString("Day") : null;
    }

    public async Task SetCursorAsync(string day, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(day);
        var table = await storage.GetTableAsync(TableNames.NoticeIndex, cancellationToken).ConfigureAwait(false);
        await table.UpsertEntityAsync(new TableEntity(CursorPartition, string.Empty) { ["Day"] = day }, TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
    }

    private static TableTransactionAction Mark(ExpiryNoticeEntry entry) =>
        new(TableTransactionActionType.UpdateReplace, ToEntity(entry with { Planned = true }), Version(entry));

    private static ETag Version(ExpiryNoticeEntry entry) => entry.Version is null ? ETag.All : new ETag(entry.Version);

    private static TableEntity ToEntity(ExpiryNoticeEntry entry) => new(entry.Day, RowKey(entry.Fingerprint, entry.ThresholdDays))
    {
        ["Fingerprint"] = entry.Fingerprint,
        ["ThresholdDays"] = entry.ThresholdDays,
        ["CrossesAt"] = entry.CrossesAt,
        ["NotAfter"] = entry.NotAfter,
        ["Planned"] = entry.Planned,
    };
}
