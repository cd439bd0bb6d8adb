using System.Collections.Concurrent;
using Azure;
using Azure.Data.Tables;

namespace Pki.Core.Storage;

/// <summary>
/// Group commit for single-entity writes: writes to one partition of one table that arrive while an earlier write to
/// it is in flight wait for it and then go to storage together, as one entity group transaction (up to 100 entities,
/// atomic, one round trip). A write on its own is sent at once, so a quiet service pays no latency for this; under
/// load, N concurrent issuances that share a partition cost one round trip, not N.
/// </summary>
/// <remarks>
/// Each write still succeeds or fails on its own: when storage names the action that failed a transaction (a 409 on
/// a conditional add, a 412 on a stale ETag, a 404), that write alone fails with the status it would have had sent
/// singly, and the others are sent again. A failure storage does not attribute (a lost connection, a 5xx) fails every
/// write of the transaction, as it would have failed each of them: its outcome is unknown to every caller.
/// </remarks>
public sealed class TableBatcher
{
    /// <summary>Table Storage's limit of entities in one entity group transaction.</summary>
    public const int MaxActions = 100;

    private readonly ConcurrentDictionary<(string Table, string Partition), Lane> _lanes = new();

    /// <summary>Writes one entity; completes with its new ETag (default for a delete) once its transaction committed.</summary>
    /// <exception cref="RequestFailedException">Storage refused this write (its status as if sent alone), or the transaction failed.</exception>
    public Task<ETag> WriteAsync(TableClient table, TableTransactionAction action)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(action);
        var write = new Write(action);
        var key = (table.Name, action.Entity.PartitionKey);
        while (true)
        {
            var lane = _lanes.GetOrAdd(key, static _ => new Lane());
            lock (lane)
            {
                if (lane.Retired)
                {
                    continue; // its flusher just finished and removed it: a new lane takes this write
                }

                lane.Queue.Add(write);
                if (!lane.Flushing)
                {
                    lane.Flushing = true;
                    _ = Task.Run(() => FlushAsync(table, key, lane));
                }
            }

            return write.Done.Task;
        }
    }

    private async Task FlushAsync(TableClient table, (string, string) key, Lane lane)
    {
        try
        {
            await FlushLoopAsync(table, key, lane).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            // Not expected (CommitAsync settles every write it takes); if it happens, nothing may wait for ever.
            lock (lane)
            {
                foreach (var write in lane.Queue)
                {
                    write.Done.TrySetException(e);
                }

                lane.Queue.Clear();
                lane.Flushing = false;
                lane.Retired = true;
                _lanes.TryRemove(KeyValuePair.Create(key, lane));
            }
        }
    }

    private async Task FlushLoopAsync(TableClient table, (string, string) key, Lane lane)
    {
        while (true)
        {
            List<Write> batch;
            lock (lane)
            {
                if (lane.Queue.Count == 0)
                {
                    lane.Flushing = false;
                    lane.Retired = true;
                    _lanes.TryRemove(KeyValuePair.Create(key, lane));
                    return;
                }

                batch = TakeBatch(lane.Queue);
            }

            var retry = await CommitAsync(table, batch).ConfigureAwait(false);
            if (retry.Count > 0)
            {
                lock (lane)
                {
                    lane.Queue.InsertRange(0, retry);
                }
            }
        }
    }

    /// <summary>Up to <see cref="MaxActions"/> writes in arrival order, at most one per entity (a transaction may not touch an entity twice).</summary>
    private static List<Write> TakeBatch(List<Write> queue)
    {
        var batch = new List<Write>(Math.Min(queue.Count, MaxActions));
        var rows = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < queue.Count && batch.Count < MaxActions; i++)
        {
            if (rows.Add(queue[i].Action.Entity.RowKey))
            {
                batch.Add(queue[i]);
                queue.RemoveAt(i--);
            }
        }

        return batch;
    }

    /// <returns>The writes to send again (those of a transaction that failed on another write).</returns>
    private static async Task<List<Write>> CommitAsync(TableClient table, List<Write> batch)
    {
        try
        {
            if (batch.Count == 1)
            {
                batch[0].Done.TrySetResult(await SendAloneAsync(table, batch[0].Action).ConfigureAwait(false));
                return [];
            }

            var response = await table.SubmitTransactionAsync(batch.Select(w => w.Action), CancellationToken.None).ConfigureAwait(false);
            for (var i = 0; i < batch.Count; i++)
            {
                batch[i].Done.TrySetResult(i < response.Value.Count ? response.Value[i].Headers.ETag ?? default : default);
            }

            return [];
        }
        catch (TableTransactionFailedException e) when (e.FailedTransactionActionIndex is int failed && failed >= 0 && failed < batch.Count)
        {
            batch[failed].Done.TrySetException(new RequestFailedException(e.Status, e.Message, e.ErrorCode, e));
            batch.RemoveAt(failed);
            return batch;
        }
        catch (TableTransactionFailedException)
        {
            // Storage did not say which write failed: each is sent alone, so each gets its own answer.
            foreach (var write in batch)
            {
                await SendAloneSettlingAsync(table, write).ConfigureAwait(false);
            }

            return [];
        }
        catch (Exception e)
        {
            foreach (var write in batch)
            {
                write.Done.TrySetException(e);
            }

            return [];
        }
    }

    private static async Task SendAloneSettlingAsync(TableClient table, Write write)
    {
        try
        {
            write.Done.TrySetResult(await SendAloneAsync(table, write.Action).ConfigureAwait(false));
        }
        catch (Exception e)
        {
            write.Done.TrySetException(e);
        }
    }

    /// <summary>One write as its own request, with the same outcome it has inside a transaction (a missing entity's delete fails 404).</summary>
    private static async Task<ETag> SendAloneAsync(TableClient table, TableTransactionAction action)
    {
        var entity = action.Entity;
        Response response = action.ActionType switch
        {
            TableTransactionActionType.Add => await table.AddEntityAsync(entity).ConfigureAwait(false),
            TableTransactionActionType.UpsertReplace => await table.UpsertEntityAsync(entity, TableUpdateMode.Replace).ConfigureAwait(false),
            TableTransactionActionType.UpsertMerge => await table.UpsertEntityAsync(entity, TableUpdateMode.Merge).ConfigureAwait(false),
            TableTransactionActionType.UpdateReplace => await table.UpdateEntityAsync(entity, action.ETag, TableUpdateMode.Replace).ConfigureAwait(false),
            TableTransactionActionType.UpdateMerge => await table.UpdateEntityAsync(entity, action.ETag, TableUpdateMode.Merge).ConfigureAwait(false),
            TableTransactionActionType.Delete => await table.DeleteEntityAsync(entity.PartitionKey, entity.RowKey, action.ETag).ConfigureAwait(false),
            _ => throw new ArgumentOutOfRangeException(nameof(action), action.ActionType, "Unknown table action."),
        };

        if (response.IsError)
        {
            throw new RequestFailedException(response);
        }

        return response.Headers.ETag ?? default;
    }

    private sealed record Write(TableTransactionAction Action)
    {
        public TaskCompletionSource<ETag> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private sealed class Lane
    {
        public List<Write> Queue { get; } = [];

        public bool Flushing { get; set; }

        public bool Retired { get; set; }
    }
}
