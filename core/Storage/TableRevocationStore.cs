using System.Globalization;
using System.Runtime.CompilerServices;
using Azure.Data.Tables;
using Pki.Core.Revocation;

namespace Pki.Core.Storage;

/// <summary>Partition = CA id, row = "{shard:000}-{serial}": a shard is a row-key range, the CA's set one partition.</summary>
public sealed class TableRevocationStore(TableStorage storage) : IRevocationStore
{
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
        await table.UpsertEntityAsync(entity, TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
    }

    public IAsyncEnumerable<RevocationEntry> ListAsync(string issuerId, int? shard = null, CancellationToken cancellationToken = default) =>
        QueryAsync(
            shard is { } s
                ? TableClient.CreateQueryFilter($"PartitionKey eq {issuerId} and RowKey ge {ShardPrefix(s)} and RowKey lt {ShardPrefix(s + 1)}")
                : TableClient.CreateQueryFilter($"PartitionKey eq {issuerId}"),
            cancellationToken);

    public IAsyncEnumerable<RevocationEntry> ListRecordedSinceAsync(string issuerId, DateTimeOffset since, CancellationToken cancellationToken = default) =>
        QueryAsync(TableClient.CreateQueryFilter($"PartitionKey eq {issuerId} and RecordedAt ge {since}"), cancellationToken);

    private async IAsyncEnumerable<RevocationEntry> QueryAsync(string filter, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var table = await storage.GetTableAsync(TableNames.Revocations, cancellationToken).ConfigureAwait(false);
        await foreach (var entity in table.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            yield return FromEntity(entity);
        }
    }

    private static string ShardPrefix(int shard) => shard.ToString("000", CultureInfo.InvariantCulture) + "-";

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
