using Azure;
using Azure.Data.Tables;
using Pki.Core.Authority;

namespace Pki.Core.Storage;

/// <summary>Key records beside the CA records, in their own partition of the authorities table: point reads and conditional writes.</summary>
public sealed class TableKeyRecordStore(TableStorage storage) : IKeyRecordStore
{
    private const string Partition = "key";

    public async Task<KeyRecord?> GetAsync(string label, CancellationToken cancellationToken = default)
    {
        var table = await storage.GetTableAsync(TableNames.Authorities, cancellationToken).ConfigureAwait(false);
        var response = await table.GetEntityIfExistsAsync<TableEntity>(Partition, label, cancellationToken: cancellationToken).ConfigureAwait(false);
        return response.HasValue ? FromEntity(response.Value!) : null;
    }

    public async Task<KeyRecord?> TryClaimAsync(string label, string holder, DateTimeOffset leaseUntil, KeyRecord? current, CancellationToken cancellationToken = default)
    {
        var table = await storage.GetTableAsync(TableNames.Authorities, cancellationToken).ConfigureAwait(false);
        var entity = new TableEntity(Partition, label) { ["Holder"] = holder, ["LeaseUntil"] = leaseUntil };
        var version = current is null
            ? await table.TryAddEntityAsync(entity, cancellationToken).ConfigureAwait(false)
            : await table.TryUpdateEntityAsync(entity, new ETag(current.Version), cancellationToken).ConfigureAwait(false);
        return version is { } v ? new KeyRecord(label, null, holder, leaseUntil, v.ToString()) : null;
    }

    public async Task<bool> TryRecordKeyAsync(KeyRecord claim, string keyUri, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(claim);
        var table = await storage.GetTableAsync(TableNames.Authorities, cancellationToken).ConfigureAwait(false);
        var entity = new TableEntity(Partition, claim.Label) { ["KeyUri"] = keyUri, ["Holder"] = claim.Holder };
        return await table.TryUpdateEntityAsync(entity, new ETag(claim.Version), cancellationToken).ConfigureAwait(false) is not null;
    }

    private static KeyRecord FromEntity(TableEntity e) =>
        new(e.RowKey, e.GetString("KeyUri"), e.GetString("Holder"), e.GetDateTimeOffset("LeaseUntil"), e.ETag.ToString());
}
