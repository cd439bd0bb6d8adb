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
        var index = await storage.GetTableAsync(TableNames.OcspRefresh, cancellationToken).ConfigureAwait(false);
        while (true)
        {
            var previous = await table.GetEntityIfExistsAsync<TableEntity>(response.SerialNumber, string.Empty, cancellationToken: cancellationToken).ConfigureAwait(false);
            if (previous.HasValue && previous.Value!.GetString("Status") == nameof(OcspCertStatus.Revoked) && response.Status != OcspCertStatus.Revoked)
            {
                return FromEntity(previous.Value);
            }

            try
            {
                await WriteAsync(table, index, response, previous.HasValue ? previous.Value : null, cancellationToken).ConfigureAwait(false);
                return response;
            }
            catch (RequestFailedException e) when (e.Status is 409 or 412)
            {
                // Written by someone else between our read and our write: look again.
            }
        }
    }

    private static async Task WriteAsync(TableClient table, TableClient index, StoredOcspResponse response, TableEntity? previous, CancellationToken cancellationToken)
    {
        var previousKey = previous?.GetString("RefreshKey");

        // New index entry first, then the response, then the old entry: a crash leaves at most an extra entry, which the timer clears.
        var refreshKey = response.RefreshAt is { } at ? RefreshKey(at, response.SerialNumber) : null;
        if (refreshKey is not null)
        {
            await index.UpsertEntityAsync(new TableEntity(response.IssuerId, refreshKey), TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
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
            await index.DeleteEntityAsync(response.IssuerId, previousKey, cancellationToken: cancellationToken).ConfigureAwait(false);
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
