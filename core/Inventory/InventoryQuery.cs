namespace Pki.Core.Inventory;

/// <summary>Filters of <c>GET /api/inventory</c>; all given ones must hold.</summary>
public sealed record InventoryQuery(
    int? ExpiringWithinDays = null,
    string? Issuer = null,
    string? Owner = null,
    string? Team = null,
    string? Finding = null,
    InventorySources? Source = null,
    string? Location = null);
