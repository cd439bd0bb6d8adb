namespace Pki.Core.Inventory;

/// <summary>A location as the API shows it.</summary>
public sealed record LocationView(
    string Location,
    string Kind,
    int Position,
    DateTimeOffset FirstSeen,
    DateTimeOffset LastSeen,
    string? ServerName,
    string? Address,
    string? SweepId,
    IReadOnlyList<string> Chain,
    IReadOnlyList<FindingView> Findings)
{
    public static LocationView From(InventoryLocation l) => new(
        l.Location, l.Kind switch { LocationKind.KeyVault => "keyvault", LocationKind.Delivery => "delivery", _ => "endpoint" }, l.Position, l.FirstSeen, l.LastSeen, l.ServerName, l.Address, l.SweepId,
        l.ChainFingerprints, l.Findings.Select(FindingView.From).ToArray());
}
