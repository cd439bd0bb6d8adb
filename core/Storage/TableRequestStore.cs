using System.Security.Cryptography;
using System.Text;
using Azure;
using Azure.Data.Tables;
using Pki.Core.Authority;

namespace Pki.Core.Storage;

/// <summary>
/// Request records. A keyed request is stored under a hash of its Idempotency-Key (which may hold
/// characters tables forbid), so a repeat is one point read; an unkeyed one (never looked up again) in the partition
/// of the hour it was made, a row per request id, so concurrent ones are written in one transaction.
/// Claim writes carry the ETag their holder read (If-Match).
/// </summary>
public sealed class TableRequestStore(TableStorage storage) : IRequestStore
{
    public async Task<IssuanceRequestRecord?> GetByIdempotencyKeyAsync(string idempotencyKey, CancellationToken cancellationToken = default)
    {
        var table = await storage.GetTableAsync(TableNames.Requests, cancellationToken).ConfigureAwait(false);
        var response = await table.GetEntityIfExistsAsync<TableEntity>(KeyedPartition(idempotencyKey), string.Empty, cancellationToken: cancellationToken).ConfigureAwait(false);
        return response.HasValue ? FromEntity(response.Value!, idempotencyKey) : null;
    }

    public async Task<IssuanceRequestRecord?> TryStartAsync(IssuanceRequestRecord record, CancellationToken cancellationToken = default)
    {
        var table = await storage.GetTableAsync(TableNames.Requests, cancellationToken).ConfigureAwait(false);
        var version = await table.TryAddEntityAsync(ToEntity(record), cancellationToken).ConfigureAwait(false);
        return version is null ? null : record with { Version = version.ToString() };
    }

    public async Task<IssuanceRequestRecord?> TryAttachSerialAsync(IssuanceRequestRecord claim, string serialNumber, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        var updated = claim with { SerialNumber = serialNumber, UpdatedAt = now };
        var version = await TryReplaceAsync(updated, cancellationToken).ConfigureAwait(false);
        return version is null ? null : updated with { Version = version };
    }

    public async Task<bool> TryCompleteAsync(IssuanceRequestRecord claim, CancellationToken cancellationToken = default) =>
        await TryReplaceAsync(claim with { Status = RequestStatus.Issued }, cancellationToken).ConfigureAwait(false) is not null;

    public async Task<bool> TryReleaseAsync(IssuanceRequestRecord claim, CancellationToken cancellationToken = default)
    {
        var table = await storage.GetTableAsync(TableNames.Requests, cancellationToken).ConfigureAwait(false);
        try
        {
            // The client reports a missing entity as a 404 response rather than an exception.
            var (partition, row) = Keys(claim);
            var response = await table.DeleteEntityAsync(partition, row, new ETag(claim.Version!), cancellationToken).ConfigureAwait(false);
            return response.Status != 404;
        }
        catch (RequestFailedException e) when (e.Status is 404 or 412)
        {
            return false;
        }
    }

    public async Task RecordAsync(IssuanceRequestRecord record, CancellationToken cancellationToken = default) =>
        await storage.UpsertAsync(TableNames.Requests, ToEntity(record), cancellationToken).ConfigureAwait(false);

    private async Task<string?> TryReplaceAsync(IssuanceRequestRecord record, CancellationToken cancellationToken)
    {
        var table = await storage.GetTableAsync(TableNames.Requests, cancellationToken).ConfigureAwait(false);
        return (await table.TryUpdateEntityAsync(ToEntity(record), new ETag(record.Version!), cancellationToken).ConfigureAwait(false))?.ToString();
    }

    private static string KeyedPartition(string idempotencyKey) =>
        "key-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(idempotencyKey)));

    /// <summary>Where a request is kept: <c>key-{hash}</c> for a keyed one, <c>id-{yyyyMMddHH}</c> and its id for an unkeyed one.</summary>
    public static (string PartitionKey, string RowKey) Keys(IssuanceRequestRecord record) => record.IdempotencyKey is null
        ? ("id-" + record.CreatedAt.UtcDateTime.ToString("yyyyMMddHH", System.Globalization.CultureInfo.InvariantCulture), record.RequestId)
        : (KeyedPartition(record.IdempotencyKey), string.Empty);

    private static TableEntity ToEntity(IssuanceRequestRecord r)
    {
        var (partitionKey, rowKey) = Keys(r);
        return new TableEntity(partitionKey, rowKey)
        {
            ["RequestId"] = r.RequestId,
            ["BodyHash"] = r.BodyHash,
            ["Status"] = r.Status.ToString(),
            ["CreatedAt"] = r.CreatedAt,
            ["UpdatedAt"] = r.UpdatedAt,
            ["SerialNumber"] = r.SerialNumber,
        };
    }

    private static IssuanceRequestRecord FromEntity(TableEntity e, string idempotencyKey) => new(
        e.GetString("RequestId"),
        idempotencyKey,
        e.GetString("BodyHash"),
        Enum.Parse<RequestStatus>(e.GetString("Status")),
        e.GetDateTimeOffset("CreatedAt")!.Value,
        e.GetString("SerialNumber"),
        e.ETag.ToString(),
        e.GetDateTimeOffset("UpdatedAt"));
}
