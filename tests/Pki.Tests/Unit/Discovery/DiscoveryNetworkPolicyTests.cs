using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Pki.Core;
using Pki.Core.Discovery;

namespace Pki.Tests.Unit.Discovery;

public sealed class DiscoveryNetworkPolicyTests
{
    private static NetworkPolicy Policy(params string[] networks) => new(new DiscoveryOptions { AllowedNetworks = [.. networks] });

    [Theory]
    [InlineData("10.1.2.3", true)]
    [InlineData("10.255.255.255", true)]
    [InlineData("11.0.0.1", false)]
    [InlineData("192.168.7.9", true)]
    [InlineData("192.168.8.1", false)]
    [InlineData("fd00::1", true)]
    [InlineData("fe80::1", false)]
    [InlineData("172.16.0.5", true)]
    [InlineData("172.16.0.6", false)]
    public void Addresses_inside_an_allowed_network_are_allowed(string address, bool allowed)
    {
        var policy = Policy("10.0.0.0/8", "192.168.7.0/24", "fd00::/8", "172.16.0.5");

        Assert.Equal(allowed, policy.IsAllowed(IPAddress.Parse(address)));
    }

    [Fact]
    public void No_configured_network_allows_nothing()
    {
        var policy = new NetworkPolicy(new DiscoveryOptions());

        Assert.Empty(policy.Networks);
        Assert.False(policy.IsAllowed(IPAddress.Loopback));
        Assert.False(policy.IsAllowed(IPAddress.Parse("10.0.0.1")));
    }

    [Theory]
    [InlineData("::ffff:10.1.2.3", true)]
    [InlineData("::ffff:192.0.2.1", false)]
    public void IPv4_mapped_IPv6_addresses_are_judged_as_IPv4(string address, bool allowed)
    {
        Assert.Equal(allowed, Policy("10.0.0.0/8").IsAllowed(IPAddress.Parse(address)));
    }

    [Theory]
    [InlineData("0.0.0.0")]
    [InlineData("::")]
    [InlineData("255.255.255.255")]
    [InlineData("224.0.0.1")]
    [InlineData("239.1.2.3")]
    [InlineData("ff02::1")]
    public void Unspecified_broadcast_and_multicast_addresses_are_never_allowed(string address)
    {
        // 0.0.0.0 reaches this very host on Linux: a classic way around an allow list.
        Assert.False(Policy("0.0.0.0/0", "::/0").IsAllowed(IPAddress.Parse(address)));
    }

    [Theory]
    [InlineData("10.0.0.1/8")]
    [InlineData("10.0.0.0/33")]
    [InlineData("fd00::/129")]
    [InlineData("intranet")]
    [InlineData("10.0.0.0/")]
    [InlineData("")]
    [InlineData("::ffff:10.0.0.0/104")]
    public void A_bad_entry_is_refused_naming_the_entry_and_the_setting(string entry)
    {
        var e = Assert.Throws<FormatException>(() => Policy("10.0.0.0/8", entry));

        Assert.Contains($"'{entry}'", e.Message);
        Assert.Contains("Pki:Discovery:AllowedNetworks", e.Message);
    }

    [Theory]
    [InlineData("10.1.2.0/24", true)]
    [InlineData("10.0.0.0/8", true)]
    [InlineData("10.0.0.0/7", false)]
    [InlineData("11.0.0.0/24", false)]
    [InlineData("fd00::/120", false)]
    public void A_range_is_allowed_only_when_it_lies_wholly_inside_an_allowed_network(string range, bool allowed)
    {
        Assert.Equal(allowed, Policy("10.0.0.0/8").IsAllowed(IPNetwork.Parse(range)));
    }

    [Fact]
    public void Allowed_addresses_keeps_the_allowed_ones_in_order_unmapped_and_once()
    {
        var policy = Policy("10.0.0.0/8");
        IPAddress[] addresses = [IPAddress.Parse("192.0.2.1"), IPAddress.Parse("10.0.0.2"), IPAddress.Parse("::ffff:10.0.0.1"), IPAddress.Parse("10.0.0.2")];

        Assert.Equal([IPAddress.Parse("10.0.0.2"), IPAddress.Parse("10.0.0.1")], policy.AllowedAddresses(addresses));
    }

    [Theory]
    [InlineData("192.0.2.7", "192.0.2.7")]
    [InlineData("fd00::5", "fd00::5")]
    [InlineData("[fd00::5]", "fd00::5")]
    [InlineData("::ffff:10.0.0.1", "10.0.0.1")]
    public async Task An_IP_literal_resolves_to_itself(string host, string expected)
    {
        var addresses = await Policy().ResolveAsync(host);

        Assert.Equal([IPAddress.Parse(expected)], addresses);
    }

    [Fact]
    public async Task A_host_name_resolves_to_all_its_addresses()
    {
        var addresses = await Policy().ResolveAsync("localhost");

        Assert.Contains(IPAddress.Loopback, addresses);
        Assert.Equal(addresses.Distinct().Count(), addresses.Count);
    }

    [Fact]
    public async Task A_name_that_does_not_resolve_throws_a_socket_exception()
    {
        await Assert.ThrowsAnyAsync<SocketException>(() => Policy().ResolveAsync("no-such-host.invalid"));
    }

    [Theory]
    [InlineData("")]
    [InlineData(" ")]
    public async Task Resolve_refuses_an_empty_host(string host)
    {
        var e = await Assert.ThrowsAsync<ArgumentException>(() => Policy().ResolveAsync(host));

        Assert.Equal("host", e.ParamName);
    }

    [Fact]
    public void The_container_builds_it_from_the_pki_options()
    {
        var services = new ServiceCollection();
        services.AddSingleton(Options.Create(new PkiOptions { Discovery = new DiscoveryOptions { AllowedNetworks = ["10.0.0.0/8"] } }));
        services.AddSingleton<NetworkPolicy>();

        var policy = services.BuildServiceProvider().GetRequiredService<NetworkPolicy>();

        Assert.True(policy.IsAllowed(IPAddress.Parse("10.9.9.9")));
    }
}
