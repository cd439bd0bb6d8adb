namespace Pki.Core.Discovery.Targets;

/// <summary>
/// Body of <c>POST /api/discovery/targets</c>: <c>kind</c> is endpoint (host, port, serverName), hosts
/// (hosts, ports), cidr (cidr, ports) or keyvault (vaultUri).
/// </summary>
public sealed record TargetInput(
    string? Kind,
    string? Host,
    int? Port,
    string? ServerName,
    IReadOnlyList<string>? Hosts,
    string? Cidr,
    IReadOnlyList<int>? Ports,
    string? VaultUri,
    string? Description);
