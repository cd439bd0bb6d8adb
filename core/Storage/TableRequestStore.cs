using System.Security.Cryptography;
using System.Text;
using Azure;
using Azure.Data.Tables;
using Pki.Core.Authority;

namespace Pki.Core.Storage;

/// <summary>Idempotency records, keyed by a hash of the caller's key (which may hold characters tables forbid).</summary>
public sealed class TableRequestStore(TableStorage storage) : IRequestStore
{
    public async Task<IssuanceRequestRecord?> GetAsync(string idempotencyKey, CancellationToken cancellationToken = default)
    {
        var table = await storage.GetTableAsync(TableNames.Requests, cancellationToken).ConfigureAwait(false);
        var response = await table.GetEntityIfExistsAsync<TableEntity>(Key(idempotencyKey), string.Empty, cancellationToken: cancellationToken).ConfigureAwait(false);
        if (!response.HasValue)
        {
            return null;
        }

        var e = response.Value!;
        return new IssuanceRequestRecord(idempotencyKey, e.GetString("BodyHash"), e.GetString("RequestId"), e.GetDateTimeOffset("CreatedAt")!.Value, e.GetString("SerialNumber"));
    }

    public async Task<bool> TryStartAsync(IssuanceRequestRecord record, CancellationToken cancellationToken = default)
    {
        var table = await storage.GetTableAsync(TableNames.Requests, cancellationToken).ConfigureAwait(false);
        var entity = new TableEntity(Key(record.IdempotencyKey), string.Empty)
        {
            ["BodyHash"] = record.BodyHash,
            ["RequestId"] = record.RequestId,
            ["CreatedAt"] = record.CreatedAt,
        };
        return await table.TryAddEntityAsync(entity, cancellationToken).ConfigureAwait(false);
    }

    public async Task CompleteAsync(string idempotencyKey, string serialNumber, CancellationToken cancellationToken = default)
    {
        var table = await storage.GetTableAsync(TableNames.Requests, cancellationToken).ConfigureAwait(false);
        var entity = new TableEntity(Key(idempotencyKey), string.Empty) { ["SerialNumber"] = serialNumber };
        await table.UpdateEntityAsync(entity, ETag.All, TableUpdateMode.Merge, cancellationToken).ConfigureAwait(false);
    }

    public async Task AbandonAsync(string idempotencyKey, CancellationToken cancellationToken = default)
    {
        var table = await storage.GetTableAsync(TableNames.Requests, cancellationToken).ConfigureAwait(false);
        await table.DeleteEntityAsync(Key(idempotencyKey), string.Empty, ETag.All, cancellationToken).ConfigureAwait(false);
    }

    private static string Key(string idempotencyKey) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(idempotencyKey)));
}
