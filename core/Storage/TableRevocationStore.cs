using System.Globalization;
using System.Runtime.CompilerServices;
using Azure;
using Azure.Data.Tables;
using Pki.Core.Authority;
using Pki.Core.Revocation;

namespace Pki.Core.Storage;

/// <summary>
/// Partition = CA id, row = "{shard:000}-{serial}": a shard is a row-key range, the CA's set one range. In the same
/// partition, after every entry in key order, one row "pending-{shard:000}" per shard with a revocation not yet in a
/// CRL, written in one transaction with the entry.
/// </summary>
public sealed class TableRevocationStore(TableStorage storage) : IRevocationStore
{
    /// <summary>Sorts after every entry's key (digits first), so the entries are the range below it.</summary>
    private const string PendingPrefix = "pending-";

    public async Task UpsertAsync(RevocationEntry entry, CancellationToken cancellationToken = default)
    {
        var table = await storage.GetTableAsync(TableNames.Revocations, cancellationToken).ConfigureAwait(false);
        var entity = new TableEntity(entry.IssuerId, RowKey(entry.Shard, entry.SerialNumber))
        {
            ["SerialNumber"] = entry.SerialNumber,
            ["Shard"] = entry.Shard,
            ["RevokedAt"] = entry.RevokedAt,
            ["Reason"] = (int)entry.Reason,
            ["NotAfter"] = entry.NotAfter,
            ["RecordedAt"] = entry.RecordedAt,
        };

        // Every write gives the marker a new ETag, so a publication that read it before this entry cannot clear it.
        var marker = new TableEntity(entry.IssuerId, PendingPrefix + ShardText(entry.Shard)) { ["Shard"] = entry.Shard, ["MarkedAt"] = entry.RecordedAt };
        await table.SubmitTransactionAsync(
            [new TableTransactionAction(TableTransactionActionType.UpsertReplace, entity), new TableTransactionAction(TableTransactionActionType.UpsertReplace, marker)],
            cancellationToken).ConfigureAwait(false);
    }

    public async Task<RevocationEntry?> GetAsync(string issuerId, int shard, string serialNumber, CancellationToken cancellationToken = default)
    {
        var table = await storage.GetTableAsync(TableNames.Revocations, cancellationToken).ConfigureAwait(false);
        var response = await table.GetEntityIfExistsAsync<TableEntity>(issuerId, RowKey(shard, serialNumber), cancellationToken: cancellationToken).ConfigureAwait(false);
        return response.HasValue ? FromEntity(response.Value!) : null;
    }

    public IAsyncEnumerable<RevocationEntry> ListAsync(string issuerId, int? shard = null, CancellationToken cancellationToken = default) =>
        QueryAsync(
            shard is { } s
                ? TableClient.CreateQueryFilter($"PartitionKey eq {issuerId} and RowKey ge {ShardPrefix(s)} and RowKey lt {ShardPrefix(s + 1)}")
                : TableClient.CreateQueryFilter($"PartitionKey eq {issuerId} and RowKey lt {PendingPrefix}"),
            cancellationToken);

    public IAsyncEnumerable<RevocationEntry> ListRecordedSinceAsync(string issuerId, DateTimeOffset since, CancellationToken cancellationToken = default) =>
        QueryAsync(TableClient.CreateQueryFilter($"PartitionKey eq {issuerId} and RowKey lt {PendingPrefix} and RecordedAt ge {since}"), cancellationToken);

    public async Task<IReadOnlyList<PendingShard>> ListPendingAsync(string issuerId, CancellationToken cancellationToken = default)
    {
        var table = await storage.GetTableAsync(TableNames.Revocations, cancellationToken).ConfigureAwait(false);
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {issuerId} and RowKey ge {PendingPrefix} and RowKey lt {"pending."}");
        var pending = new List<PendingShard>();
        await foreach (var e in table.QueryAsync<TableEntity>(filter, select: ["Shard"], cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            pending.Add(new PendingShard(e.GetInt32("Shard")!.Value, e.ETag.ToString()));
        }

        return pending;
    }

    public async Task<bool> ClearPendingAsync(string issuerId, PendingShard pending, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(pending);
        var table = await storage.GetTableAsync(TableNames.Revocations, cancellationToken).ConfigureAwait(false);
        try
        {
            await table.DeleteEntityAsync(issuerId, PendingPrefix + ShardText(pending.Shard), new ETag(pending.Version), cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (RequestFailedException e) when (e.Status is 404 or 412)
        {
            // Marked again since it was read (412), or cleared by another publication (404).
            return false;
        }
    }

    private async IAsyncEnumerable<RevocationEntry> QueryAsync(string filter, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var table = await storage.GetTableAsync(TableNames.Revocations, cancellationToken).ConfigureAwait(false);
        await foreach (var entity in table.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            yield return FromEntity(entity);
        }
    }

    private static string ShardText(int shard) => shard.ToString("000", CultureInfo.InvariantCulture);

    private static string ShardPrefix(int shard) => ShardText(shard) + "-";

    private static string RowKey(int shard, string serial) => ShardPrefix(shard) + serial;

    private static RevocationEntry FromEntity(TableEntity e) => new(
        e.PartitionKey,
        e.GetString("SerialNumber"),
        e.GetInt32("Shard")!.Value,
        e.GetDateTimeOffset("RevokedAt")!.Value,
        (RevocationReason)e.GetInt32("Reason")!.Value,
        e.GetDateTimeOffset("NotAfter")!.Value,
        e.GetDateTimeOffset("RecordedAt")!.Value);
}
