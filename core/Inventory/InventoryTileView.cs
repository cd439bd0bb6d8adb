namespace Pki.Core.Inventory;

/// <summary>One tile: how many items its <see cref="Filter"/> (query parameters of <c>GET /api/inventory</c>) lists.</summary>
public sealed record InventoryTileView(string Id, string Label, int Count, IReadOnlyDictionary<string, string> Filter);
