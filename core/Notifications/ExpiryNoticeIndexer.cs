using Microsoft.Extensions.Options;
using Pki.Core.Inventory;

namespace Pki.Core.Notifications;

/// <summary>
/// Writes an inventory item's first threshold crossing into the expiry-notice index when the item is first recorded (its
/// dates never change: the fingerprint is the certificate); the notice pass chains the later ones. Before the item's
/// write, so an item never exists unindexed; added only where absent, so a repeat never re-opens one the pass handled.
/// </summary>
public sealed class ExpiryNoticeIndexer(IExpiryNoticeIndex index, IOptions<PkiOptions> options) : IInventoryObserver
{
    public Task OnAddingAsync(InventoryItem item, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(item);
        return ExpiryThresholds.First(item.Fingerprint, item.NotAfter, item.FirstSeen, options.Value.Notifications.Thresholds) is { } first
            ? index.AddAsync([first], cancellationToken)
            : Task.CompletedTask;
    }

    public Task OnAddedAsync(InventoryItem item, string? location, CancellationToken cancellationToken = default) => Task.CompletedTask;
}
