namespace Pki.Core.Inventory;

/// <summary>
/// <c>GET /api/inventory/summary</c>: the dashboard's tiles over what the caller may read (<see cref="Team"/> when scoped
/// to one), and the next <see cref="InventoryService.HistogramWeeks"/> weeks' expiries by team (items without a team
/// under "(none)"; teams without an expiry in those weeks are left out).
/// </summary>
public sealed record InventorySummary(DateTimeOffset GeneratedAt, string? Team, IReadOnlyList<InventoryTileView> Tiles, IReadOnlyList<TeamExpiryHistogram> Histogram);
