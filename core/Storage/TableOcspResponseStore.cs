using System.Globalization;
using System.Runtime.CompilerServices;
using Azure;
using Azure.Data.Tables;
using Pki.Core.Revocation.Ocsp;

namespace Pki.Core.Storage;

/// <summary>
/// Responses keyed by serial; the refresh index has one partition per CA with row keys
/// "{refreshAt:yyyyMMddHHmmss}-{serial}", so "what is due" is one partition range read.
/// </summary>
public sealed class TableOcspResponseStore(TableStorage storage) : IOcspResponseStore
{
    private const string TimeFormat = "yyyyMMddHHmmss";

    public async Task<StoredOcspResponse?> GetAsync(string serialNumber, CancellationToken cancellationToken = default)
    {
        var table = await storage.GetTableAsync(TableNames.OcspResponses, cancellationToken).ConfigureAwait(false);
        var response = await table.GetEntityIfExistsAsync<TableEntity>(serialNumber, string.Empty, cancellationToken: cancellationToken).ConfigureAwait(false);
        return response.HasValue ? FromEntity(response.Value!) : null;
    }

    public async Task<StoredOcspResponse> SaveAsync(StoredOcspResponse response, CancellationToken cancellationToken = default)
    {
        var table = await storage.GetTableAsync(TableNames.OcspResponses, cancellationToken).ConfigureAwait(false);

        // Most saves are a new certificate's first response: it is added without a read first. A 409 says one exists,
        // and the read-decide-write loop takes over.
        var read = false;
        while (true)
        {
            TableEntity? previous = null;
            if (read)
            {
                var stored = await table.GetEntityIfExistsAsync<TableEntity>(response.SerialNumber, string.Empty, cancellationToken: cancellationToken).ConfigureAwait(false);
                previous = stored.HasValue ? stored.Value : null;
                if (previous is not null && previous.GetString("Status") == nameof(OcspCertStatus.Revoked) && response.Status != OcspCertStatus.Revoked)
                {
                    // Our first add may have written a refresh entry for this response: it refreshes nothing now.
                    if (response.RefreshAt is { } at && RefreshKey(at, response.SerialNumber) is var ours && ours != previous.GetString("RefreshKey"))
                    {
                        await storage.DeleteAsync(TableNames.OcspRefresh, response.IssuerId, ours, cancellationToken).ConfigureAwait(false);
                    }

                    return FromEntity(previous);
                }
            }

            try
            {
                await WriteAsync(table, response, previous, cancellationToken).ConfigureAwait(false);
                return response;
            }
            catch (RequestFailedException e) when (e.Status is 409 or 412)
            {
                // Written by someone else between our read and our write (or before our first add): look again.
                read = true;
            }
        }
    }

    private async Task WriteAsync(TableClient table, StoredOcspResponse response, TableEntity? previous, CancellationToken cancellationToken)
    {
        var previousKey = previous?.GetString("RefreshKey");

        // New index entry first (group-committed with other responses of the CA), then the response, then the old
        // entry: a crash leaves at most an extra entry, which the timer clears.
        var refreshKey = response.RefreshAt is { } at ? RefreshKey(at, response.SerialNumber) : null;
        if (refreshKey is not null)
        {
            await storage.UpsertAsync(TableNames.OcspRefresh, new TableEntity(response.IssuerId, refreshKey), cancellationToken).ConfigureAwait(false);
        }

        var entity = new TableEntity(response.SerialNumber, string.Empty)
        {
            ["IssuerId"] = response.IssuerId,
            ["Status"] = response.Status.ToString(),
            ["ThisUpdate"] = response.ThisUpdate,
            ["NextUpdate"] = response.NextUpdate,
            ["RefreshAt"] = response.RefreshAt,
            ["RefreshKey"] = refreshKey,
            ["ResponseDer"] = response.ResponseDer,
        };
        if (previous is null)
        {
            await table.AddEntityAsync(entity, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await table.UpdateEntityAsync(entity, previous.ETag, TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
        }

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

    private static StoredOcspResponse FromEntity(TableEntity e) => new(
        e.PartitionKey,
        e.GetString("IssuerId"),
        Enum.Parse<OcspCertStatus>(e.GetString("Status")),
        e.GetDateTimeOffset("ThisUpdate")!.Value,
        e.GetDateTimeOffset("NextUpdate")!.Value,
        e.GetDateTimeOffset("RefreshAt"),
        e.GetBinary("ResponseDer"));
}
