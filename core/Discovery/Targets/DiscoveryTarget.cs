namespace Pki.Core.Discovery.Targets;

/// <summary>A stored discovery target; only the fields of its kind are set.</summary>
public sealed record DiscoveryTarget(
    string Id,
    TargetKind Kind,
    IReadOnlyList<string> Hosts,
    string? Cidr,
    IReadOnlyList<int> Ports,
    string? ServerName,
    string? VaultUri,
    string? Description,
    DateTimeOffset CreatedAt);
