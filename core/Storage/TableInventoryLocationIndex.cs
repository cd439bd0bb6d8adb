using Azure.Data.Tables;
using Pki.Core.Inventory;

namespace Pki.Core.Storage;

/// <summary>
/// The inventory's location index: partition = location, row = fingerprint, with whether the location presents that
/// certificate now. Written only by <see cref="TableInventoryLocationStore"/>, after the location's own row.
/// </summary>
internal sealed class TableInventoryLocationIndex(TableStorage storage)
{
    public async Task RecordAsync(InventoryLocation location, CancellationToken cancellationToken = default)
    {
        var index = await storage.GetTableAsync(TableNames.InventoryByLocation, cancellationToken).ConfigureAwait(false);
        await index.UpsertEntityAsync(new TableEntity(InventoryTableFormat.LocationKey(location.Location), location.Fingerprint) { ["LastSeen"] = location.LastSeen, ["Current"] = location.Current }, TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
    }

    public async Task SupersedeAsync(string fingerprint, string location, CancellationToken cancellationToken = default)
    {
        var index = await storage.GetTableAsync(TableNames.InventoryByLocation, cancellationToken).ConfigureAwait(false);
        await index.UpsertEntityAsync(new TableEntity(InventoryTableFormat.LocationKey(location), fingerprint) { ["Current"] = false }, TableUpdateMode.Merge, cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<(string Fingerprint, bool Current)>> ListAsync(string location, CancellationToken cancellationToken = default)
    {
        var table = await storage.GetTableAsync(TableNames.InventoryByLocation, cancellationToken).ConfigureAwait(false);
        var key = InventoryTableFormat.LocationKey(location);
        var found = new List<(string, bool)>();
        await foreach (var e in table.QueryAsync<TableEntity>(x => x.PartitionKey == key, select: ["RowKey", "Current"], cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            found.Add((e.RowKey, e.GetBoolean("Current") ?? true));
        }

        return found;
    }
}
