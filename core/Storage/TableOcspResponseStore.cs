using System.Globalization;
using System.Runtime.CompilerServices;
using Azure;
using Azure.Data.Tables;
using Pki.Core.Authority;
using Pki.Core.Revocation.Ocsp;

namespace Pki.Core.Storage;

/// <summary>
/// Responses keyed by serial (PartitionKey the serial's partition, RowKey the serial; a partition per serial with an
/// empty RowKey in releases before serial partitions, still read); the refresh index has one partition per CA with row keys
/// "{refreshAt:yyyyMMddHHmmss}-{serial}", so "what is due" is one partition range read.
/// </summary>
public sealed class TableOcspResponseStore(TableStorage storage) : IOcspResponseStore
{
    private const string TimeFormat = "yyyyMMddHHmmss";

    public async Task<StoredOcspResponse?> GetAsync(string serialNumber, CancellationToken cancellationToken = default)
    {
        var table = await storage.GetTableAsync(TableNames.OcspResponses, cancellationToken).ConfigureAwait(false);
        return await FindAsync(table, serialNumber, cancellationToken).ConfigureAwait(false) is { } found ? FromEntity(found) : null;
    }

    public async Task<StoredOcspResponse> AddFirstAsync(StoredOcspResponse response, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(response);

        // A new certificate has no response anywhere yet, so its first is added without a read, group-committed with
        // the first responses of concurrent issuances (they share the serial's partition). A 409 says one exists
        // (a repair pass after a crash, a race with a revocation): the read-decide-write of SaveAsync takes over.
        if (response.RefreshAt is { } at)
        {
            await storage.UpsertAsync(TableNames.OcspRefresh, new TableEntity(response.IssuerId, RefreshKey(at, response.SerialNumber)), cancellationToken).ConfigureAwait(false);
        }

        return await storage.TryAddAsync(TableNames.OcspResponses, ToEntity(response, Keys(response.SerialNumber)), cancellationToken).ConfigureAwait(false) is null
            ? await SaveAsync(response, cancellationToken).ConfigureAwait(false)
            : response;
    }

    public async Task<StoredOcspResponse> SaveAsync(StoredOcspResponse response, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(response);
        var table = await storage.GetTableAsync(TableNames.OcspResponses, cancellationToken).ConfigureAwait(false);
        while (true)
        {
            var previous = await FindAsync(table, response.SerialNumber, cancellationToken).ConfigureAwait(false);
            if (previous is not null && previous.GetString("Status") == nameof(OcspCertStatus.Revoked) && response.Status != OcspCertStatus.Revoked)
            {
                // A first add (AddFirstAsync) may have written a refresh entry for this response: it refreshes nothing now.
                if (response.RefreshAt is { } at && RefreshKey(at, response.SerialNumber) is var ours && ours != previous.GetString("RefreshKey"))
                {
                    await storage.DeleteAsync(TableNames.OcspRefresh, response.IssuerId, ours, cancellationToken).ConfigureAwait(false);
                }

                return FromEntity(previous);
            }

            try
            {
                await WriteAsync(response, previous, cancellationToken).ConfigureAwait(false);
                return response;
            }
            catch (RequestFailedException e) when (e.Status is 409 or 412)
            {
                // Written by someone else between our read and our write: look again.
            }
        }
    }

    private async Task WriteAsync(StoredOcspResponse response, TableEntity? previous, CancellationToken cancellationToken)
    {
        var previousKey = previous?.GetString("RefreshKey");

        // New index entry first (group-committed with other responses of the CA), then the response, then the old
        // entry: a crash leaves at most an extra entry, which the timer clears.
        var refreshKey = response.RefreshAt is { } at ? RefreshKey(at, response.SerialNumber) : null;
        if (refreshKey is not null)
        {
            await storage.UpsertAsync(TableNames.OcspRefresh, new TableEntity(response.IssuerId, refreshKey), cancellationToken).ConfigureAwait(false);
        }

        // A response of a release before serial partitions is replaced where it is.
        var entity = ToEntity(response, previous is null ? Keys(response.SerialNumber) : (previous.PartitionKey, previous.RowKey));
        await storage.WriteAsync(
            TableNames.OcspResponses,
            previous is null
                ? new TableTransactionAction(TableTransactionActionType.Add, entity)
                : new TableTransactionAction(TableTransactionActionType.UpdateReplace, entity, previous.ETag),
            cancellationToken).ConfigureAwait(false);

        if (previousKey is not null && previousKey != refreshKey)
        {
            await storage.DeleteAsync(TableNames.OcspRefresh, response.IssuerId, previousKey, cancellationToken).ConfigureAwait(false);
        }
    }

    public async IAsyncEnumerable<(string SerialNumber, string RefreshKey)> ListDueAsync(string issuerId, DateTimeOffset dueBefore, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var index = await storage.GetTableAsync(TableNames.OcspRefresh, cancellationToken).ConfigureAwait(false);
        var bound = dueBefore.UtcDateTime.ToString(TimeFormat, CultureInfo.InvariantCulture);
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {issuerId} and RowKey lt {bound}");
        await foreach (var entity in index.QueryAsync<TableEntity>(filter, select: ["RowKey"], cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            yield return (entity.RowKey[(TimeFormat.Length + 1)..], entity.RowKey);
        }
    }

    public async Task RemoveRefreshEntryAsync(string issuerId, string refreshKey, CancellationToken cancellationToken = default)
    {
        var index = await storage.GetTableAsync(TableNames.OcspRefresh, cancellationToken).ConfigureAwait(false);

        // The table API answers 404 for an absent entity without throwing here; either way it is gone.
        await index.DeleteEntityAsync(issuerId, refreshKey, cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    private static string RefreshKey(DateTimeOffset at, string serial) =>
        at.UtcDateTime.ToString(TimeFormat, CultureInfo.InvariantCulture) + "-" + serial;

    /// <summary>
    /// Where a response made now is kept: the partition its serial names (<see cref="SerialNumbers.PartitionOf"/>), a
    /// row per serial, as the certificates are.
    /// </summary>
    private static (string PartitionKey, string RowKey) Keys(string serialNumber) => (SerialNumbers.PartitionOf(serialNumber), serialNumber);

    /// <summary>A point read where responses are kept now, then where releases before serial partitions kept them (a partition per serial, empty RowKey).</summary>
    private static async Task<TableEntity?> FindAsync(TableClient table, string serialNumber, CancellationToken cancellationToken)
    {
        // Any serial long enough to name a partition is written there (SaveAsync), whatever its length, so it is read there first.
        if (serialNumber.Length >= SerialNumbers.PartitionBytes * 2)
        {
            var (partition, row) = Keys(serialNumber);
            var current = await table.GetEntityIfExistsAsync<TableEntity>(partition, row, cancellationToken: cancellationToken).ConfigureAwait(false);
            if (current.HasValue)
            {
                return current.Value;
            }
        }

        var legacy = await table.GetEntityIfExistsAsync<TableEntity>(serialNumber, string.Empty, cancellationToken: cancellationToken).ConfigureAwait(false);
        return legacy.HasValue ? legacy.Value : null;
    }

    private static TableEntity ToEntity(StoredOcspResponse response, (string PartitionKey, string RowKey) keys) => new(keys.PartitionKey, keys.RowKey)
    {
        ["IssuerId"] = response.IssuerId,
        ["Status"] = response.Status.ToString(),
        ["ThisUpdate"] = response.ThisUpdate,
        ["NextUpdate"] = response.NextUpdate,
        ["RefreshAt"] = response.RefreshAt,
        ["RefreshKey"] = response.RefreshAt is { } at ? RefreshKey(at, response.SerialNumber) : null,
        ["ResponseDer"] = response.ResponseDer,
    };

    private static StoredOcspResponse FromEntity(TableEntity e) => new(
        e.RowKey.Length > 0 ? e.RowKey : e.PartitionKey,
        e.GetString("IssuerId"),
        Enum.Parse<OcspCertStatus>(e.GetString("Status")),
        e.GetDateTimeOffset("ThisUpdate")!.Value,
        e.GetDateTimeOffset("NextUpdate")!.Value,
        e.GetDateTimeOffset("RefreshAt"),
        e.GetBinary("ResponseDer"));
}
