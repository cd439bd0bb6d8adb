using System.Net;
using Microsoft.Extensions.Options;

namespace Pki.Core.Access;

/// <summary>
/// The name spaces each team may request (<c>Pki:Access:Teams:{team}:Names</c>). A grant is an exact DNS name,
/// <c>*.suffix</c> for any name below the suffix (wildcard names included), an IP address, or a CIDR range.
/// </summary>
public sealed class TeamGrants(IOptions<PkiOptions> options)
{
    public bool Allows(string team, string dnsName) =>
        Grants(team).Any(g => Matches(g, dnsName.ToLowerInvariant()));

    /// <summary>Compared as <see cref="IpAddresses"/> compares: ::ffff:10.30.0.5 is 10.30.0.5 under a grant of 10.30.0.0/24.</summary>
    public bool Allows(string team, IPAddress address) =>
        Grants(team).Any(g => g.Contains('/')
            ? IPNetwork.TryParse(g, out var range) && IpAddresses.InRange(range, address)
            : IPAddress.TryParse(g, out var exact) && IpAddresses.Canonical(exact).Equals(IpAddresses.Canonical(address)));

    /// <summary>The team's grants, as a 403 lists them.</summary>
    public IReadOnlyList<string> Grants(string team) =>
        options.Value.Access.Teams.TryGetValue(team, out var granted) ? [.. granted.Names.Select(n => n.Trim().ToLowerInvariant())] : [];

    private static bool Matches(string grant, string name) => grant.StartsWith("*.", StringComparison.Ordinal)
        ? name.EndsWith(grant[1..], StringComparison.Ordinal) && name.Length > grant.Length - 1
        : string.Equals(grant, name, StringComparison.Ordinal);
}
