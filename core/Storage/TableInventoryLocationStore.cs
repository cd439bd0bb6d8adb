using Azure;
using Azure.Data.Tables;
using Pki.Core.Inventory;

namespace Pki.Core.Storage;

/// <summary>
/// The inventory's locations table: each certificate's locations in the certificate's partition (fingerprint), keyed
/// by location. Each write also keeps <see cref="TableInventoryLocationIndex"/> (partition = location) in step, after
/// the location row, so "what is at this endpoint" is a single-partition read too.
/// </summary>
public sealed class TableInventoryLocationStore(TableStorage storage) : IInventoryLocationStore
{
    private readonly TableInventoryLocationIndex _index = new(storage);

    public async Task<InventoryLocation?> UpsertLocationAsync(InventoryLocation location, CancellationToken cancellationToken = default)
    {
        var table = await storage.GetTableAsync(TableNames.InventoryLocations, cancellationToken).ConfigureAwait(false);
        var key = InventoryTableFormat.LocationKey(location.Location);
        var entity = new TableEntity(location.Fingerprint, key)
        {
            ["Location"] = location.Location,
            ["Kind"] = location.Kind.ToString(),
            ["Position"] = location.Position,
            ["FirstSeen"] = location.FirstSeen,
            ["LastSeen"] = location.LastSeen,
            ["ServerName"] = location.ServerName,
            ["Address"] = location.Address,
            ["SweepId"] = location.SweepId,
            ["Chain"] = InventoryTableFormat.Serialize(location.ChainFingerprints),
            ["Findings"] = InventoryTableFormat.Serialize(location.Findings),
            ["Current"] = location.Current,
        };
        InventoryLocation? previous = null;
        var existing = await table.GetEntityIfExistsAsync<TableEntity>(location.Fingerprint, key, cancellationToken: cancellationToken).ConfigureAwait(false);
        if (existing.HasValue)
        {
            // Seen before: everything but when it was first seen is this sighting's.
            previous = LocationFromEntity(existing.Value!);
            entity.Remove("FirstSeen");
            await table.UpdateEntityAsync(entity, ETag.All, TableUpdateMode.Merge, cancellationToken).ConfigureAwait(false);
        }
        else if (await table.TryAddEntityAsync(entity, cancellationToken).ConfigureAwait(false) is null)
        {
            // Another writer added it a moment ago (a redelivered batch): the same sighting, so merge.
            entity.Remove("FirstSeen");
            await table.UpdateEntityAsync(entity, ETag.All, TableUpdateMode.Merge, cancellationToken).ConfigureAwait(false);
        }

        await _index.RecordAsync(location, cancellationToken).ConfigureAwait(false);
        return previous;
    }

    public async Task UpdateLocationFindingsAsync(string fingerprint, string location, IReadOnlyList<Finding> findings, CancellationToken cancellationToken = default)
    {
        var table = await storage.GetTableAsync(TableNames.InventoryLocations, cancellationToken).ConfigureAwait(false);
        try
        {
            await table.UpdateEntityAsync(new TableEntity(fingerprint, InventoryTableFormat.LocationKey(location)) { ["Findings"] = InventoryTableFormat.Serialize(findings) }, ETag.All, TableUpdateMode.Merge, cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            // Gone meanwhile: nothing to mark.
        }
    }

    public async Task SupersedeLocationAsync(string fingerprint, string location, CancellationToken cancellationToken = default)
    {
        var key = InventoryTableFormat.LocationKey(location);
        var table = await storage.GetTableAsync(TableNames.InventoryLocations, cancellationToken).ConfigureAwait(false);
        try
        {
            await table.UpdateEntityAsync(new TableEntity(fingerprint, key) { ["Current"] = false, ["Findings"] = "[]" }, ETag.All, TableUpdateMode.Merge, cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            // Only the index knew it (a crash between the two writes): nothing to mark.
        }

        await _index.SupersedeAsync(fingerprint, location, cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<InventoryLocation>> ListLocationsAsync(string fingerprint, CancellationToken cancellationToken = default)
    {
        var table = await storage.GetTableAsync(TableNames.InventoryLocations, cancellationToken).ConfigureAwait(false);
        var locations = new List<InventoryLocation>();
        await foreach (var e in table.QueryAsync<TableEntity>(x => x.PartitionKey == fingerprint, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            locations.Add(LocationFromEntity(e));
        }

        return locations;
    }

    public Task<IReadOnlyList<(string Fingerprint, bool Current)>> ListAtLocationAsync(string location, CancellationToken cancellationToken = default) =>
        _index.ListAsync(location, cancellationToken);

    private static InventoryLocation LocationFromEntity(TableEntity e) => new(
        e.PartitionKey,
        e.GetString("Location"),
        Enum.Parse<LocationKind>(e.GetString("Kind")),
        e.GetInt32("Position") ?? 0,
        e.GetDateTimeOffset("FirstSeen")!.Value,
        e.GetDateTimeOffset("LastSeen")!.Value,
        e.GetString("ServerName"),
        e.GetString("Address"),
        e.GetString("SweepId"),
        InventoryTableFormat.Deserialize<string[]>(e.GetString("Chain") ?? "[]") ?? [],
        InventoryTableFormat.Deserialize<Finding[]>(e.GetString("Findings") ?? "[]") ?? [],
        e.GetBoolean("Current") ?? true);
}
