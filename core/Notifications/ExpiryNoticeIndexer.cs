using Microsoft.Extensions.Options;
using Pki.Core.Inventory;

namespace Pki.Core.Notifications;

/// <summary>
/// Writes an inventory item's threshold crossings into the expiry-notice index when the item is first recorded (its dates
/// never change: the fingerprint is the certificate). Before the item's write, so an item never exists unindexed; the
/// entries are added only where absent, so a repeat never re-opens one the pass handled.
/// </summary>
public sealed class ExpiryNoticeIndexer(IExpiryNoticeIndex index, IOptions<PkiOptions> options) : IInventoryObserver
{
    public Task OnAddingAsync(InventoryItem item, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(item);
        return index.AddAsync(ExpiryThresholds.Entries(item.Fingerprint, item.NotAfter, item.FirstSeen, options.Value.Notifications.Thresholds), cancellationToken);
    }

    public Task OnAddedAsync(InventoryItem item, string? location, CancellationToken cancellationToken = default) => Task.CompletedTask;
}
