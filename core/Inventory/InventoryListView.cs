namespace Pki.Core.Inventory;

/// <summary>A page of <c>GET /api/inventory</c>; pass <see cref="ContinuationToken"/> back for the next.</summary>
public sealed record InventoryListView(IReadOnlyList<InventoryItemView> Items, string? ContinuationToken);
