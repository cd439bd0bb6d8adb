namespace Pki.Core.Inventory;

/// <summary>The inventory's tables: items by fingerprint, their locations, and two small indexes.</summary>
public interface IInventoryStore
{
    /// <summary>The item and an opaque version for <see cref="TryReplaceAsync"/>.</summary>
    Task<(InventoryItem Item, string Version)?> GetAsync(string fingerprint, CancellationToken cancellationToken = default);

    /// <summary>Adds the item; false when one with this fingerprint exists.</summary>
    Task<bool> TryAddAsync(InventoryItem item, CancellationToken cancellationToken = default);

    /// <summary>Replaces the item if it is unchanged since read; false when another writer came first.</summary>
    Task<bool> TryReplaceAsync(InventoryItem item, string version, CancellationToken cancellationToken = default);

    /// <summary>One page of items matching <paramref name="query"/> (without its location filter, which the caller resolves through the location index).</summary>
    Task<InventoryPage> QueryAsync(InventoryQuery query, DateTimeOffset now, DateTimeOffset expiringBefore, int pageSize, string? continuationToken, CancellationToken cancellationToken = default);

    /// <summary>Adds the location, or when it exists updates its last-seen time, sweep and findings (first-seen stays).</summary>
    Task UpsertLocationAsync(InventoryLocation location, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<InventoryLocation>> ListLocationsAsync(string fingerprint, CancellationToken cancellationToken = default);

    /// <summary>Fingerprints of the certificates ever seen at a location.</summary>
    Task<IReadOnlyList<string>> ListAtLocationAsync(string location, CancellationToken cancellationToken = default);

    Task UpsertNameAsync(NamedCertificate entry, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<NamedCertificate>> ListByNameAsync(string dnsName, CancellationToken cancellationToken = default);
}
