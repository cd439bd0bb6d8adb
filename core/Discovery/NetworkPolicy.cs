using System.Net;
using Microsoft.Extensions.Options;

namespace Pki.Core.Discovery;

/// <summary>PLACEHOLDER until the scanner branch lands: allowed networks from Pki:Discovery:AllowedNetworks.</summary>
public sealed class NetworkPolicy(IOptions<PkiOptions> options)
{
    private readonly IPNetwork[] _allowed = options.Value.Discovery.AllowedNetworks.Select(n => IPNetwork.Parse(n)).ToArray();

    public bool IsAllowed(IPAddress address)
    {
        var a = address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
        return _allowed.Any(n => n.Contains(a));
    }

    public async Task<IReadOnlyList<IPAddress>> ResolveAsync(string host, CancellationToken cancellationToken) =>
        IPAddress.TryParse(host, out var ip) ? [ip] : await Dns.GetHostAddressesAsync(host, cancellationToken).ConfigureAwait(false);
}
