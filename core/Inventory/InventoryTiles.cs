using System.Globalization;

namespace Pki.Core.Inventory;

/// <summary>The overview's tiles, each an inventory filter: its query for counting and its query parameters for listing.</summary>
public static class InventoryTiles
{
    public static readonly IReadOnlyList<InventoryTile> All =
    [
        new("all", "In inventory", new InventoryQuery()),
        Expiring(7),
        Expiring(30),
        Finding(FindingCodes.Expired, "Expired"),
        Finding(FindingCodes.Revoked, "Revoked"),
        Finding(FindingCodes.WeakKey, "Weak keys"),
        Finding(FindingCodes.WeakSignature, "Weak signatures"),
        Finding(FindingCodes.HostnameMismatch, "Name mismatches"),
    ];

    private static InventoryTile Expiring(int days) =>
        new($"expiring-{days}", $"Expiring in {days} days or less", new InventoryQuery(ExpiringWithinDays: days));

    private static InventoryTile Finding(string code, string label) => new(code, label, new InventoryQuery(Finding: code));

    /// <summary>A tile's id, label and filter.</summary>
    public sealed record InventoryTile(string Id, string Label, InventoryQuery Query)
    {
        public IReadOnlyDictionary<string, string> Filter { get; } = FilterOf(Query);

        private static Dictionary<string, string> FilterOf(InventoryQuery q)
        {
            var filter = new Dictionary<string, string>(StringComparer.Ordinal);
            if (q.ExpiringWithinDays is { } days)
            {
                filter["expiringWithinDays"] = days.ToString(CultureInfo.InvariantCulture);
            }

            if (q.Finding is { } finding)
            {
                filter["finding"] = finding;
            }

            return filter;
        }
    }
}
