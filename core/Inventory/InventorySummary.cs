namespace Pki.Core.Inventory;

/// <summary><c>GET /api/inventory/summary</c>: the dashboard's tiles over what the caller may read (<see cref="Team"/> when scoped to one).</summary>
public sealed record InventorySummary(DateTimeOffset GeneratedAt, string? Team, IReadOnlyList<InventoryTileView> Tiles);
