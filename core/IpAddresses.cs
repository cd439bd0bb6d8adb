using System.Net;

namespace Pki.Core;

/// <summary>
/// One rule for comparing IP addresses, wherever policy does (issuance names, team grants, discovery networks): an
/// IPv4-mapped IPv6 address (::ffff:a.b.c.d) is the IPv4 address it carries, as TLS clients read it, and a range
/// contains only addresses of its own family (IPNetwork.Contains alone finds ::ffff:1.1.1.1 inside fc00::/7).
/// </summary>
public static class IpAddresses
{
    public static IPAddress Canonical(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        return address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
    }

    public static bool InRange(IPNetwork range, IPAddress address)
    {
        var canonical = Canonical(address);
        return range.BaseAddress.AddressFamily == canonical.AddressFamily && range.Contains(canonical);
    }
}
