namespace Pki.Core.Inventory;

/// <summary>An inventory item as the API shows it; <see cref="Locations"/> only in the single-item view.</summary>
public sealed record InventoryItemView(
    string Fingerprint,
    string Subject,
    string Issuer,
    string? IssuerCaId,
    string SerialNumber,
    DateTimeOffset NotBefore,
    DateTimeOffset NotAfter,
    IReadOnlyList<string> DnsNames,
    IReadOnlyList<string> IpAddresses,
    string KeyAlgorithm,
    int KeySize,
    string SignatureAlgorithm,
    bool IsCa,
    IReadOnlyList<string> Sources,
    string? Owner,
    string? Team,
    string OwnerSource,
    DateTimeOffset FirstSeen,
    DateTimeOffset LastSeen,
    IReadOnlyList<FindingView> Findings,
    IReadOnlyList<LocationView>? Locations)
{
    public static readonly IReadOnlyDictionary<InventorySources, string> SourceNames = new Dictionary<InventorySources, string>
    {
        [InventorySources.Issued] = "issued",
        [InventorySources.Endpoint] = "endpoint",
        [InventorySources.KeyVault] = "keyvault",
    };

    public static InventoryItemView From(InventoryItem i, IEnumerable<Finding> findings, IReadOnlyList<InventoryLocation>? locations) => new(
        i.Fingerprint, i.Subject, i.Issuer, i.IssuerCaId, i.SerialNumber, i.NotBefore, i.NotAfter, i.DnsNames, i.IpAddresses,
        i.KeyAlgorithm, i.KeySize, i.SignatureAlgorithm, i.IsCa,
        SourceNames.Where(s => i.Sources.HasFlag(s.Key)).Select(s => s.Value).ToArray(),
        i.Owner, i.Team, i.OwnerSource.ToString().ToLowerInvariant(), i.FirstSeen, i.LastSeen,
        findings.OrderByDescending(f => f.Severity).Select(FindingView.From).ToArray(),
        locations?.OrderByDescending(l => l.LastSeen).Select(LocationView.From).ToArray());
}
