using System.Globalization;

namespace Pki.Core.Inventory;

/// <summary>The overview's tiles, each an inventory filter: its query for counting and its query parameters for listing.</summary>
public static class InventoryTiles
{
    /// <summary>The <c>finding</c> filter's value for "any stored finding without a tile of its own".</summary>
    public const string OtherFindings = "other";

    /// <summary>The stored findings without a tile of their own: what the "Other findings" tile counts.</summary>
    public static readonly IReadOnlyList<string> OtherFindingCodes =
        [.. FindingCodes.Stored.Except([FindingCodes.Revoked, FindingCodes.WeakKey, FindingCodes.WeakSignature, FindingCodes.HostnameMismatch], StringComparer.Ordinal)];

    public static readonly IReadOnlyList<InventoryTile> All =
    [
        new("all", "In inventory", new InventoryQuery()),
        Expiring(7),
        Expiring(30),
        Finding(FindingCodes.Expired, "Expired"),
        Finding(FindingCodes.Revoked, "Revoked"),
        new("revoked-30", "Revoked in the last 30 days", new InventoryQuery(RevokedWithinDays: 30)),
        Finding(FindingCodes.WeakKey, "Weak keys"),
        Finding(FindingCodes.WeakSignature, "Weak signatures"),
        Finding(FindingCodes.HostnameMismatch, "Name mismatches"),
        Finding(OtherFindings, "Other findings"),
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

            if (q.RevokedWithinDays is { } revoked)
            {
                filter["revokedWithinDays"] = revoked.ToString(CultureInfo.InvariantCulture);
            }

            if (q.Finding is { } finding)
            {
                filter["finding"] = finding;
            }

            return filter;
        }
    }
}
