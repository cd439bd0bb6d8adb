using System.Globalization;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using Pki.Core.Discovery.Sweeps;

namespace Pki.Core.Storage;

/// <summary>A sweep's partition: its plan in row "sweep", one row per finished batch ("batch-00000"…), read in one range query.</summary>
public sealed class TableSweepStore(TableStorage storage) : ISweepStore
{
    private const string SweepRow = "sweep";

    /// <summary>The partition of the one row that names the current sweep (sweep ids are timestamps, never this).</summary>
    private const string CurrentPartition = "current";
    private const string BatchRowPrefix = "batch-";

    public async Task<string?> TryBeginAsync(SweepRecord sweep, DateTimeOffset runningIfStartedAfter, DateTimeOffset queuingIfStartedAfter, CancellationToken cancellationToken = default)
    {
        var table = await storage.GetTableAsync(TableNames.DiscoverySweeps, cancellationToken).ConfigureAwait(false);
        var current = await table.GetEntityIfExistsAsync<TableEntity>(CurrentPartition, string.Empty, cancellationToken: cancellationToken).ConfigureAwait(false);
        if (current.HasValue && current.Value!.GetString("SweepId") is { } runningId
            && await GetAsync(runningId, cancellationToken).ConfigureAwait(false) is { } running
            && running.Batches.Count < running.Sweep.Batches && running.Sweep.StartedAt > runningIfStartedAfter
            && !running.Sweep.Released && (running.Sweep.Queued || running.Sweep.StartedAt > queuingIfStartedAfter))
        {
            return runningId;
        }

        // The sweep's row first, then the pointer, ETag-conditional: whenever the pointer names a sweep its row exists,
        // so a start that reads the pointer a moment later sees that sweep running. Of two starts at once one wins the
        // pointer; the other removes its row and reports the winner.
        var row = new TableEntity(sweep.Id, SweepRow)
        {
            ["Trigger"] = sweep.Trigger,
            ["StartedAt"] = sweep.StartedAt,
            ["Batches"] = sweep.Batches,
            ["Endpoints"] = sweep.Endpoints,
            ["Vaults"] = sweep.Vaults,
            ["Queued"] = false,
        };
        await table.AddEntityAsync(row, cancellationToken).ConfigureAwait(false);

        var pointer = new TableEntity(CurrentPartition, string.Empty) { ["SweepId"] = sweep.Id };
        try
        {
            if (current.HasValue)
            {
                await table.UpdateEntityAsync(pointer, current.Value!.ETag, TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await table.AddEntityAsync(pointer, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (RequestFailedException e) when (e.Status is 409 or 412)
        {
            await table.DeleteEntityAsync(sweep.Id, SweepRow, ETag.All, CancellationToken.None).ConfigureAwait(false);
            var winner = await table.GetEntityIfExistsAsync<TableEntity>(CurrentPartition, string.Empty, cancellationToken: cancellationToken).ConfigureAwait(false);
            return winner.HasValue ? winner.Value!.GetString("SweepId") : "unknown";
        }

        return null;
    }

    public async Task<string?> GetCurrentIdAsync(CancellationToken cancellationToken = default)
    {
        var table = await storage.GetTableAsync(TableNames.DiscoverySweeps, cancellationToken).ConfigureAwait(false);
        var current = await table.GetEntityIfExistsAsync<TableEntity>(CurrentPartition, string.Empty, cancellationToken: cancellationToken).ConfigureAwait(false);
        return current.HasValue ? current.Value!.GetString("SweepId") : null;
    }

    public async Task<(SweepRecord Sweep, IReadOnlyList<BatchRecord> Batches)?> GetAsync(string sweepId, CancellationToken cancellationToken = default)
    {
        var table = await storage.GetTableAsync(TableNames.DiscoverySweeps, cancellationToken).ConfigureAwait(false);
        SweepRecord? sweep = null;
        var batches = new List<BatchRecord>();
        await foreach (var e in table.QueryAsync<TableEntity>(x => x.PartitionKey == sweepId, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            if (e.RowKey == SweepRow)
            {
                sweep = new SweepRecord(e.PartitionKey, e.GetString("Trigger"), e.GetDateTimeOffset("StartedAt")!.Value,
                    e.GetInt32("Batches") ?? 0, e.GetInt32("Endpoints") ?? 0, e.GetInt32("Vaults") ?? 0)
                {
                    Queued = e.GetBoolean("Queued") ?? true,
                    Released = e.GetBoolean("Released") ?? false,
                };
            }
            else
            {
                batches.Add(new BatchRecord(
                    e.PartitionKey,
                    int.Parse(e.RowKey[BatchRowPrefix.Length..], CultureInfo.InvariantCulture),
                    e.GetDateTimeOffset("CompletedAt")!.Value,
                    JsonSerializer.Deserialize<Dictionary<string, int>>(e.GetString("Outcomes") ?? "{}") ?? [],
                    e.GetInt32("Certificates") ?? 0,
                    JsonSerializer.Deserialize<ScanFailure[]>(e.GetString("Failures") ?? "[]") ?? []));
            }
        }

        return sweep is null ? null : (sweep, batches);
    }

    public async Task MarkQueuedAsync(string sweepId, CancellationToken cancellationToken = default)
    {
        var table = await storage.GetTableAsync(TableNames.DiscoverySweeps, cancellationToken).ConfigureAwait(false);
        await table.UpdateEntityAsync(new TableEntity(sweepId, SweepRow) { ["Queued"] = true }, ETag.All, TableUpdateMode.Merge, cancellationToken).ConfigureAwait(false);
    }

    public async Task ReleaseAsync(string sweepId, int queued, CancellationToken cancellationToken = default)
    {
        var table = await storage.GetTableAsync(TableNames.DiscoverySweeps, cancellationToken).ConfigureAwait(false);
        await table.UpdateEntityAsync(
            new TableEntity(sweepId, SweepRow) { ["Batches"] = queued, ["Queued"] = true, ["Released"] = true },
            ETag.All,
            TableUpdateMode.Merge,
            cancellationToken).ConfigureAwait(false);
    }

    public async Task<bool> IsBatchDoneAsync(string sweepId, int batch, CancellationToken cancellationToken = default)
    {
        var table = await storage.GetTableAsync(TableNames.DiscoverySweeps, cancellationToken).ConfigureAwait(false);
        var response = await table.GetEntityIfExistsAsync<TableEntity>(sweepId, BatchRow(batch), select: ["RowKey"], cancellationToken: cancellationToken).ConfigureAwait(false);
        return response.HasValue;
    }

    public async Task CompleteBatchAsync(BatchRecord batch, CancellationToken cancellationToken = default)
    {
        var table = await storage.GetTableAsync(TableNames.DiscoverySweeps, cancellationToken).ConfigureAwait(false);
        await table.UpsertEntityAsync(
            new TableEntity(batch.SweepId, BatchRow(batch.Batch))
            {
                ["CompletedAt"] = batch.CompletedAt,
                ["Outcomes"] = JsonSerializer.Serialize(batch.Outcomes),
                ["Certificates"] = batch.Certificates,
                ["Failures"] = JsonSerializer.Serialize(batch.Failures),
            },
            TableUpdateMode.Replace,
            cancellationToken).ConfigureAwait(false);
    }

    private static string BatchRow(int batch) => BatchRowPrefix + batch.ToString("00000", CultureInfo.InvariantCulture);
}
