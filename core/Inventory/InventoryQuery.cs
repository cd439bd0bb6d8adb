namespace Pki.Core.Inventory;

/// <summary>
/// Filters of <c>GET /api/inventory</c>; all given ones must hold. <see cref="ExpiresFrom"/> and <see cref="ExpiresTo"/>
/// (notAfter bounds, inclusive) serve the reports. <see cref="Name"/> finds certificates of our CAs by a DNS name they
/// carry (the name index), as the dashboard's search does. <see cref="RevokedWithinDays"/>: revoked by one of our CAs in
/// the last so many days. <see cref="Finding"/> may also be <see cref="InventoryTiles.OtherFindings"/>: any stored finding
/// that has no tile of its own.
/// </summary>
public sealed record InventoryQuery(
    int? ExpiringWithinDays = null,
    string? Issuer = null,
    string? Owner = null,
    string? Team = null,
    string? Finding = null,
    InventorySources? Source = null,
    string? Location = null,
    DateTimeOffset? ExpiresFrom = null,
    DateTimeOffset? ExpiresTo = null,
    string? Name = null,
    int? RevokedWithinDays = null);
