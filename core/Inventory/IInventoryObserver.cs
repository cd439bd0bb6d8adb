namespace Pki.Core.Inventory;

/// <summary>Told when the inventory records a certificate for the first time (an issuance, or a sweep's first sighting).</summary>
public interface IInventoryObserver
{
    /// <summary>
    /// Runs before the item's first write, so that what it writes is never missing for an item that exists. It may run
    /// again for the same item (a write that lost a race, a sighting after a crash): it must be idempotent.
    /// </summary>
    Task OnAddingAsync(InventoryItem item, CancellationToken cancellationToken = default);

    /// <summary>Runs once the item was first written. <paramref name="location"/> is where a sweep saw it; null for an issuance.</summary>
    Task OnAddedAsync(InventoryItem item, string? location, CancellationToken cancellationToken = default);
}
