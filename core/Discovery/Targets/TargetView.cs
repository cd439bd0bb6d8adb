namespace Pki.Core.Discovery.Targets;

/// <summary>A target as the API shows it.</summary>
public sealed record TargetView(
    string Id,
    string Kind,
    string? Host,
    int? Port,
    string? ServerName,
    IReadOnlyList<string>? Hosts,
    string? Cidr,
    IReadOnlyList<int>? Ports,
    string? VaultUri,
    string? Description,
    DateTimeOffset CreatedAt,
    long Endpoints)
{
    public static TargetView From(DiscoveryTarget t) => t.Kind switch
    {
        TargetKind.Endpoint => new(t.Id, "endpoint", t.Hosts[0], t.Ports[0], t.ServerName, null, null, null, null, t.Description, t.CreatedAt, 1),
        TargetKind.Hosts => new(t.Id, "hosts", null, null, null, t.Hosts, null, t.Ports, null, t.Description, t.CreatedAt, TargetExpansion.Count(t)),
        TargetKind.Cidr => new(t.Id, "cidr", null, null, null, null, t.Cidr, t.Ports, null, t.Description, t.CreatedAt, TargetExpansion.Count(t)),
        _ => new(t.Id, "keyvault", null, null, null, null, null, null, t.VaultUri, t.Description, t.CreatedAt, 0),
    };
}
