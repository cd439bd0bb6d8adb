using System.Net;
using System.Numerics;
using System.Net.Sockets;
using Pki.Core.Discovery.Scanning;

namespace Pki.Core.Discovery.Targets;

/// <summary>The endpoints a target stands for.</summary>
public static class TargetExpansion
{
    public static IEnumerable<ScannedEndpoint> Endpoints(DiscoveryTarget target) => target.Kind switch
    {
        TargetKind.Endpoint => [new ScannedEndpoint(target.Hosts[0], target.Ports[0], target.ServerName)],
        TargetKind.Hosts => target.Hosts.SelectMany(h => target.Ports.Select(p => new ScannedEndpoint(h, p, IPAddress.TryParse(h, out _) ? null : h))),
        TargetKind.Cidr => Addresses(IPNetwork.Parse(target.Cidr!)).SelectMany(a => target.Ports.Select(p => new ScannedEndpoint(a.ToString(), p, null))),
        _ => [],
    };

    /// <summary>How many endpoints a target stands for, without listing them.</summary>
    public static long Count(DiscoveryTarget target) => target.Kind switch
    {
        TargetKind.Endpoint => 1,
        TargetKind.Hosts => (long)target.Hosts.Count * target.Ports.Count,
        TargetKind.Cidr => (long)Size(IPNetwork.Parse(target.Cidr!)) * target.Ports.Count,
        _ => 0,
    };

    /// <summary>How many addresses a range holds (IPv4 network and broadcast addresses not counted for ranges wider than /31).</summary>
    public static BigInteger Size(IPNetwork network)
    {
        var bits = (network.BaseAddress.AddressFamily == AddressFamily.InterNetwork ? 32 : 128) - network.PrefixLength;
        var size = BigInteger.One << bits;
        return network.BaseAddress.AddressFamily == AddressFamily.InterNetwork && bits > 1 ? size - 2 : size;
    }

    /// <summary>The host addresses of a range, in order.</summary>
    public static IEnumerable<IPAddress> Addresses(IPNetwork network)
    {
        var bytes = network.BaseAddress.GetAddressBytes();
        var first = new BigInteger(bytes, isUnsigned: true, isBigEndian: true);
        var v4 = network.BaseAddress.AddressFamily == AddressFamily.InterNetwork;
        var skip = v4 && 32 - network.PrefixLength > 1 ? 1 : 0;
        var size = Size(network);
        for (var i = BigInteger.Zero; i < size; i++)
        {
            var value = (first + skip + i).ToByteArray(isUnsigned: true, isBigEndian: true);
            var address = new byte[bytes.Length];
            value.AsSpan(Math.Max(0, value.Length - address.Length)).CopyTo(address.AsSpan(Math.Max(0, address.Length - value.Length)));
            yield return new IPAddress(address);
        }
    }
}
