namespace Pki.Core.Inventory;

/// <summary>The inventory's items, one per certificate fingerprint, and their filtered pages.</summary>
public interface IInventoryItemStore
{
    /// <summary>The item and an opaque version for <see cref="TryReplaceAsync"/>.</summary>
    Task<(InventoryItem Item, string Version)?> GetAsync(string fingerprint, CancellationToken cancellationToken = default);

    /// <summary>Adds the item; false when one with this fingerprint exists.</summary>
    Task<bool> TryAddAsync(InventoryItem item, CancellationToken cancellationToken = default);

    /// <summary>Replaces the item if it is unchanged since read; false when another writer came first.</summary>
    Task<bool> TryReplaceAsync(InventoryItem item, string version, CancellationToken cancellationToken = default);

    /// <summary>One page of items matching <paramref name="query"/> (without its location filter, which the caller resolves through <see cref="IInventoryLocationStore.ListAtLocationAsync"/>).</summary>
    Task<InventoryPage> QueryAsync(InventoryQuery query, DateTimeOffset now, DateTimeOffset expiringBefore, int pageSize, string? continuationToken, CancellationToken cancellationToken = default);

    /// <summary>
    /// Every item matching <paramref name="query"/> (as <see cref="QueryAsync"/>), read for counting: only the fields the
    /// inventory's filters read are set (<see cref="InventoryItem.Fingerprint"/>, <see cref="InventoryItem.NotBefore"/>,
    /// <see cref="InventoryItem.NotAfter"/>, <see cref="InventoryItem.RevokedAt"/>, <see cref="InventoryItem.Issuer"/>,
    /// <see cref="InventoryItem.IssuerCaId"/>, <see cref="InventoryItem.Owner"/>, <see cref="InventoryItem.Team"/>,
    /// <see cref="InventoryItem.Sources"/>, and the codes of <see cref="InventoryItem.Findings"/>); the rest are empty.
    /// </summary>
    IAsyncEnumerable<InventoryItem> ScanForCountingAsync(InventoryQuery query, DateTimeOffset now, DateTimeOffset expiringBefore, CancellationToken cancellationToken = default);
}
