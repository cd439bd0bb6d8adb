namespace Pki.Core.Inventory;

/// <summary>Body of <c>PUT /api/inventory/{fingerprint}/owner</c>.</summary>
public sealed record OwnerInput(string? Owner, string? Team);
