using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Options;

namespace Pki.Core.Discovery;

/// <summary>
/// Which addresses discovery may connect to: those inside <see cref="DiscoveryOptions.AllowedNetworks"/>.
/// Checked twice: when a target is added (every address a host resolves to must be allowed, so a caller
/// cannot point the scanner at an internal service) and at scan time (the scanner connects only to an
/// allowed address it resolved itself, so a DNS answer that changed since cannot redirect it).
/// </summary>
public sealed class NetworkPolicy
{
    private const string Setting = PkiOptions.Section + ":Discovery:AllowedNetworks";

    public NetworkPolicy(IOptions<PkiOptions> options)
        : this(options.Value.Discovery)
    {
    }

    public NetworkPolicy(DiscoveryOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Networks = ParseNetworks(options.AllowedNetworks);
        VaultDomains = options.AllowedVaultHostSuffixes.Select(s => s.TrimStart('.')).ToArray();
    }

    /// <summary>The domains vault hosts must be, or lie under (from <c>Pki:Discovery:AllowedVaultHostSuffixes</c>).</summary>
    public IReadOnlyList<string> VaultDomains { get; }

    /// <summary>True for an https vault URI whose host is an allowed domain or lies under one; checked when a target is added and again before a vault is read.</summary>
    public bool IsVaultAllowed(Uri vaultUri) =>
        vaultUri.IsAbsoluteUri && vaultUri.Scheme == Uri.UriSchemeHttps
        && VaultDomains.Any(d => string.Equals(vaultUri.Host, d, StringComparison.OrdinalIgnoreCase) || vaultUri.Host.EndsWith("." + d, StringComparison.OrdinalIgnoreCase));

    /// <summary>The allowed ranges, as configured.</summary>
    public IReadOnlyList<IPNetwork> Networks { get; }

    /// <summary>
    /// Parses configured ranges: CIDR (<c>10.0.0.0/8</c>, <c>fd00::/8</c>) or a single address (<c>10.1.2.3</c>).
    /// Throws <see cref="FormatException"/> naming the first entry that is neither.
    /// </summary>
    public static IReadOnlyList<IPNetwork> ParseNetworks(IEnumerable<string> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var networks = new List<IPNetwork>();
        foreach (var entry in entries)
        {
            networks.Add(TryParseNetwork(entry, out var network)
                ? network
                : throw new FormatException(
                    $"{Setting} entry '{entry}' is not a network: write a CIDR range with the host bits zero (10.0.0.0/8, fd00::/8) or one address (10.1.2.3)."));
        }

        return networks;
    }

    /// <summary>One configured range; a single address is a /32 or /128. Host bits must be zero (10.0.0.1/8 is refused, as a likely typo).</summary>
    public static bool TryParseNetwork(string? entry, out IPNetwork network)
    {
        network = default;
        var text = entry?.Trim();
        if (string.IsNullOrEmpty(text))
        {
            return false;
        }

        if (!text.Contains('/', StringComparison.Ordinal))
        {
            if (!IPAddress.TryParse(text, out var address))
            {
                return false;
            }

            address = IpAddresses.Canonical(address);
            network = new IPNetwork(address, address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128);
            return true;
        }

        // IPNetwork.TryParse clears host bits silently; 10.0.0.1/8 is more likely a typo for /32 than meant as /8.
        if (!IPNetwork.TryParse(text, out network) || !IPAddress.TryParse(text[..text.IndexOf('/', StringComparison.Ordinal)], out var written)
            || !written.Equals(network.BaseAddress))
        {
            return false;
        }

        // ::ffff:10.0.0.0/104 would never match: addresses are compared after unmapping.
        return !network.BaseAddress.IsIPv4MappedToIPv6;
    }

    /// <summary>
    /// True when the address lies in an allowed network. IPv4-mapped IPv6 addresses are compared as IPv4.
    /// The unspecified address (which reaches this host), multicast and broadcast are never allowed.
    /// </summary>
    public bool IsAllowed(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        address = IpAddresses.Canonical(address);
        if (IsNeverScanned(address))
        {
            return false;
        }

        foreach (var network in Networks)
        {
            if (network.Contains(address))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>True when every address of the range lies inside one allowed network (for targets that name a CIDR range).</summary>
    public bool IsAllowed(IPNetwork range)
    {
        foreach (var network in Networks)
        {
            if (network.BaseAddress.AddressFamily == range.BaseAddress.AddressFamily
                && network.PrefixLength <= range.PrefixLength
                && network.Contains(range.BaseAddress))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The allowed ones among <paramref name="addresses"/>, in their order, unmapped, without repeats.</summary>
    public IReadOnlyList<IPAddress> AllowedAddresses(IEnumerable<IPAddress> addresses)
    {
        ArgumentNullException.ThrowIfNull(addresses);
        return addresses.Select(IpAddresses.Canonical).Where(IsAllowed).Distinct().ToList();
    }

    /// <summary>
    /// Every address of a host name, or the address an IP literal names (<c>10.0.0.5</c>, <c>fd00::5</c>,
    /// <c>[fd00::5]</c>) without asking DNS. Unmapped, without repeats. Throws <see cref="SocketException"/>
    /// when the name does not resolve.
    /// </summary>
    public async Task<IReadOnlyList<IPAddress>> ResolveAsync(string host, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(host);
        if (TryParseLiteral(host, out var literal))
        {
            return [IpAddresses.Canonical(literal)];
        }

        var addresses = await Dns.GetHostAddressesAsync(host, cancellationToken).ConfigureAwait(false);
        return addresses.Select(IpAddresses.Canonical).Distinct().ToList();
    }

    /// <summary>True when <paramref name="host"/> is an IP address rather than a name (brackets allowed around IPv6).</summary>
    public static bool TryParseLiteral(string host, out IPAddress address)
    {
        var text = host.Length > 2 && host[0] == '[' && host[^1] == ']' ? host[1..^1] : host;
        if (IPAddress.TryParse(text, out var parsed))
        {
            address = parsed;
            return true;
        }

        address = IPAddress.None;
        return false;
    }

    private static bool IsNeverScanned(IPAddress address) =>
        address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any) || address.Equals(IPAddress.Broadcast)
        || address.IsIPv6Multicast
        || (address.AddressFamily == AddressFamily.InterNetwork && (address.GetAddressBytes()[0] & 0xF0) == 0xE0);
}
