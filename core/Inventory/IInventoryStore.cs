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

    /// <summary>
    /// Adds the location, or when it exists updates everything but when it was first seen; returns the
    /// location as it was before (null when new), so the caller knows whether its findings changed.
    /// </summary>
    Task<InventoryLocation?> UpsertLocationAsync(InventoryLocation location, CancellationToken cancellationToken = default);

    /// <summary>Replaces the findings of a certificate's location (a revocation after it was seen there), keeping everything else.</summary>
    Task UpdateLocationFindingsAsync(string fingerprint, string location, IReadOnlyList<Finding> findings, CancellationToken cancellationToken = default);

    /// <summary>Marks a certificate's location as no longer presenting it: not current, no findings.</summary>
    Task SupersedeLocationAsync(string fingerprint, string location, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<InventoryLocation>> ListLocationsAsync(string fingerprint, CancellationToken cancellationToken = default);

    /// <summary>The certificates ever seen at a location, and whether each is what it presented last.</summary>
    Task<IReadOnlyList<(string Fingerprint, bool Current)>> ListAtLocationAsync(string location, CancellationToken cancellationToken = default);

    Task UpsertNameAsync(NamedCertificate entry, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<NamedCertificate>> ListByNameAsync(string dnsName, CancellationToken cancellationToken = default);
}
