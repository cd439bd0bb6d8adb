using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Pki.Core.Audit;
using Pki.Core.Authority.Policy;
using Pki.Core.Errors;

namespace Pki.Core.Discovery.Targets;

/// <summary>
/// Adds, lists and removes discovery targets. A target is refused unless every address it stands for lies
/// in the configured allowed networks (and a vault's host has an allowed suffix): the service scans
/// nothing on a caller's word alone. Refused targets are not stored.
/// </summary>
public sealed class TargetService(ITargetStore store, NetworkPolicy network, IAuditTrail audit, IOptions<PkiOptions> options, TimeProvider time, ILogger<TargetService> logger)
{
    private const int MaxDescriptionLength = 256;
    private const int MaxAddressLength = 256;
    private DiscoveryOptions Options => options.Value.Discovery;

    public async Task<TargetView> AddAsync(TargetInput input, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.Description is { Length: > MaxDescriptionLength })
        {
            throw ProblemException.BadRequest("invalid-target", $"description is at most {MaxDescriptionLength} characters.");
        }

        var target = input.Kind?.ToLowerInvariant() switch
        {
            "endpoint" => await EndpointAsync(input, cancellationToken).ConfigureAwait(false),
            "hosts" => await HostsAsync(input, cancellationToken).ConfigureAwait(false),
            "cidr" => Cidr(input),
            "keyvault" => KeyVault(input),
            _ => throw ProblemException.BadRequest("invalid-target", "kind must be endpoint, hosts, cidr or keyvault."),
        };

        var existing = await store.ListAsync(cancellationToken).ConfigureAwait(false);
        if (existing.Count >= Options.MaxTargets)
        {
            throw ProblemException.Unprocessable("too-many-targets", $"The service keeps at most {Options.MaxTargets} targets (Pki:Discovery:MaxTargets); delete one first.");
        }

        // A sweep covers every target, so the endpoints of all of them together are bounded, not only each one's.
        var endpoints = existing.Sum(TargetExpansion.Count) + TargetExpansion.Count(target);
        if (endpoints > Options.MaxEndpointsPerSweep)
        {
            throw ProblemException.Unprocessable("too-many-endpoints",
                $"With this target a sweep would scan {endpoints} endpoints; at most {Options.MaxEndpointsPerSweep} are allowed (Pki:Discovery:MaxEndpointsPerSweep).");
        }

        await store.AddAsync(target, cancellationToken).ConfigureAwait(false);
        try
        {
            await audit.AppendAsync(
                AuditEntry.Succeeded(AuditActions.TargetAdd) with { TargetId = target.Id, Detail = $"kind={target.Kind} {Address(target)} endpoints={TargetExpansion.Count(target)} {target.Description}".TrimEnd() },
                CancellationToken.None).ConfigureAwait(false);
        }
        catch
        {
            // A target the trail does not hold would be scanned unaccounted for: take it back, and the caller retries.
            await store.DeleteAsync(target.Id, CancellationToken.None).ConfigureAwait(false);
            throw;
        }

        logger.LogInformation("Added discovery target {TargetId} ({Kind})", target.Id, target.Kind);
        return TargetView.From(target);
    }

    public async Task<IReadOnlyList<TargetView>> ListAsync(CancellationToken cancellationToken = default) =>
        (await store.ListAsync(cancellationToken).ConfigureAwait(false)).OrderBy(t => t.CreatedAt).Select(TargetView.From).ToArray();

    public async Task DeleteAsync(string id, CancellationToken cancellationToken = default)
    {
        // Recorded before the delete, which cannot be taken back: a failed append leaves the target in place.
        // (The list is one bounded partition read.)
        var target = IsId(id) ? (await store.ListAsync(cancellationToken).ConfigureAwait(false)).FirstOrDefault(t => t.Id == id) : null;
        if (target is null)
        {
            throw ProblemException.NotFound("unknown-target", $"No discovery target has id '{id}'.");
        }

        await audit.AppendAsync(
            AuditEntry.Succeeded(AuditActions.TargetRemove) with { TargetId = id, Detail = $"kind={target.Kind} {Address(target)} {target.Description}".TrimEnd() },
            CancellationToken.None).ConfigureAwait(false);
        if (!await store.DeleteAsync(id, cancellationToken).ConfigureAwait(false))
        {
            logger.LogInformation("Discovery target {TargetId} was deleted concurrently", id);
        }

        logger.LogInformation("Deleted discovery target {TargetId}", id);
    }

    private async Task<DiscoveryTarget> EndpointAsync(TargetInput input, CancellationToken cancellationToken)
    {
        var host = Host(input.Host, "host");
        var port = input.Port is { } p ? Port(p) : throw ProblemException.BadRequest("invalid-target", "An endpoint target needs a port.");
        string? serverName = null;
        if (input.ServerName is not null)
        {
            serverName = input.ServerName.Trim().ToLowerInvariant();
            if (!DnsNames.IsValid(serverName, out var reason) || serverName.Contains('*') || IPAddress.TryParse(serverName, out _))
            {
                throw ProblemException.BadRequest("invalid-target", $"serverName '{input.ServerName}' is not a DNS host name (SNI carries names, not addresses){(reason.Length > 0 ? ": " + reason : string.Empty)}.");
            }
        }

        await RequireAllowedAsync(host, cancellationToken).ConfigureAwait(false);
        return New(TargetKind.Endpoint, [host], null, [port], serverName, null, input.Description);
    }

    private async Task<DiscoveryTarget> HostsAsync(TargetInput input, CancellationToken cancellationToken)
    {
        if (input.Hosts is not { Count: > 0 } hosts || hosts.Count > Options.MaxHostsPerList)
        {
            throw ProblemException.BadRequest("invalid-target", $"A hosts target lists 1 to {Options.MaxHostsPerList} host names.");
        }

        var normalized = hosts.Select(h => Host(h, "hosts")).Distinct(StringComparer.Ordinal).ToArray();
        var ports = Ports(input.Ports);
        foreach (var host in normalized)
        {
            await RequireAllowedAsync(host, cancellationToken).ConfigureAwait(false);
        }

        return New(TargetKind.Hosts, normalized, null, ports, null, null, input.Description);
    }

    private DiscoveryTarget Cidr(TargetInput input)
    {
        if (!NetworkPolicy.TryParseNetwork(input.Cidr?.Trim(), out var range))
        {
            throw ProblemException.BadRequest("invalid-target", $"cidr '{input.Cidr}' is not a CIDR range such as 10.1.2.0/24 (host bits must be zero).");
        }

        var size = TargetExpansion.Size(range);
        if (size > Options.MaxAddressesPerRange)
        {
            throw ProblemException.Unprocessable("range-too-large", $"{range} holds {size} addresses; a range may hold at most {Options.MaxAddressesPerRange} (Pki:Discovery:MaxAddressesPerRange).");
        }

        var ports = Ports(input.Ports);
        if (TargetExpansion.Addresses(range).FirstOrDefault(a => !network.IsAllowed(a)) is { } outside)
        {
            throw NotAllowed($"{range} includes {outside}");
        }

        return New(TargetKind.Cidr, [], range.ToString(), ports, null, null, input.Description);
    }

    private DiscoveryTarget KeyVault(TargetInput input)
    {
        if (!Uri.TryCreate(input.VaultUri, UriKind.Absolute, out var uri) || uri.Scheme != Uri.UriSchemeHttps
            || !string.IsNullOrEmpty(uri.Query) || !string.IsNullOrEmpty(uri.Fragment) || uri.AbsolutePath != "/" || !string.IsNullOrEmpty(uri.UserInfo))
        {
            throw ProblemException.BadRequest("invalid-target", $"vaultUri '{input.VaultUri}' must be a vault's https URI, such as https://my-vault.vault.azure.net/.");
        }

        if (!network.IsVaultAllowed(uri))
        {
            throw ProblemException.Forbidden("vault-not-allowed",
                $"Vault host '{uri.Host}' does not end with an allowed suffix ({string.Join(", ", Options.AllowedVaultHostSuffixes)}; Pki:Discovery:AllowedVaultHostSuffixes).");
        }

        return New(TargetKind.KeyVault, [], null, [], null, $"https://{uri.Host.ToLowerInvariant()}{(uri.IsDefaultPort ? string.Empty : ":" + uri.Port)}/", input.Description);
    }

    /// <summary>Every address the host resolves to now must be allowed; the scanner checks again before it connects.</summary>
    private async Task RequireAllowedAsync(string host, CancellationToken cancellationToken)
    {
        IReadOnlyList<IPAddress> addresses;
        try
        {
            addresses = await network.ResolveAsync(host, cancellationToken).ConfigureAwait(false);
        }
        catch (SocketException e)
        {
            throw ProblemException.Unprocessable("unresolvable-host", $"Host '{host}' does not resolve: {e.Message}");
        }

        if (addresses.Count == 0)
        {
            throw ProblemException.Unprocessable("unresolvable-host", $"Host '{host}' resolves to no address.");
        }

        if (addresses.FirstOrDefault(a => !network.IsAllowed(a)) is { } outside)
        {
            throw NotAllowed($"'{host}' resolves to {outside}");
        }
    }

    private ProblemException NotAllowed(string what) => ProblemException.Forbidden("network-not-allowed",
        $"{what}, which is outside the networks discovery may scan ({(Options.AllowedNetworks.Count == 0 ? "none are configured" : string.Join(", ", Options.AllowedNetworks))}; Pki:Discovery:AllowedNetworks).");

    private static string Host(string? host, string field)
    {
        var value = host?.Trim() ?? string.Empty;
        if (IPAddress.TryParse(value, out var ip) && (ip.AddressFamily == AddressFamily.InterNetwork || !value.Contains('%')))
        {
            return ip.ToString();
        }

        var name = value.ToLowerInvariant();
        return DnsNames.IsValid(name, out var reason) && !name.Contains('*')
            ? name
            : throw ProblemException.BadRequest("invalid-target", $"{field}: '{host}' is neither a DNS host name nor an IP address{(reason.Length > 0 ? " (" + reason + ")" : string.Empty)}.");
    }

    private static int Port(int port) => port is >= 1 and <= 65535
        ? port
        : throw ProblemException.BadRequest("invalid-target", $"Port {port} is not between 1 and 65535.");

    private IReadOnlyList<int> Ports(IReadOnlyList<int>? ports)
    {
        if (ports is not { Count: > 0 } || ports.Count > Options.MaxPortsPerTarget)
        {
            throw ProblemException.BadRequest("invalid-target", $"ports lists 1 to {Options.MaxPortsPerTarget} ports.");
        }

        return ports.Select(Port).Distinct().Order().ToArray();
    }

    private DiscoveryTarget New(TargetKind kind, IReadOnlyList<string> hosts, string? cidr, IReadOnlyList<int> ports, string? serverName, string? vaultUri, string? description) =>
        new(Guid.NewGuid().ToString("N"), kind, hosts, cidr, ports, serverName, vaultUri, description, time.GetUtcNow());

    /// <summary>
    /// Where a target points, for its audit records: the id alone names nothing once the target is deleted. A long
    /// host list is cut so the record's detail keeps the rest.
    /// </summary>
    private static string Address(DiscoveryTarget target)
    {
        var ports = string.Join(',', target.Ports);
        switch (target.Kind)
        {
            case TargetKind.Endpoint:
                var host = target.Hosts[0].Contains(':') ? $"[{target.Hosts[0]}]" : target.Hosts[0];
                return $"target={host}:{ports}" + (target.ServerName is null ? string.Empty : $" serverName={target.ServerName}");
            case TargetKind.Hosts:
                var listed = new List<string>();
                var length = 0;
                foreach (var name in target.Hosts)
                {
                    if (length + name.Length > MaxAddressLength)
                    {
                        break;
                    }

                    listed.Add(name);
                    length += name.Length + 1;
                }

                var more = target.Hosts.Count - listed.Count;
                return $"target={string.Join(',', listed)}{(more > 0 ? $",…(+{more} more)" : string.Empty)} ports={ports}";
            case TargetKind.Cidr:
                return $"target={target.Cidr} ports={ports}";
            default:
                return $"target={target.VaultUri}";
        }
    }

    private static bool IsId(string? id) => id is { Length: 32 } && id.All(char.IsAsciiHexDigitLower);
}
