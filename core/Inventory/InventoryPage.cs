namespace Pki.Core.Inventory;

/// <summary>One page of items; <see cref="ContinuationToken"/> is null on the last page.</summary>
public sealed record InventoryPage(IReadOnlyList<InventoryItem> Items, string? ContinuationToken);
