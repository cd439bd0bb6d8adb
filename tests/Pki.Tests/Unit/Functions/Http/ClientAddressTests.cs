using System.Net;
using Pki.Functions.Http;

namespace Pki.Tests.Unit.Functions.Http;

/// <summary>Which address the sign-in limit counts: only what the trusted proxies wrote, never the caller's own claim.</summary>
public sealed class ClientAddressTests
{
    private static readonly IPAddress Connection = IPAddress.Parse("10.0.0.4");

    [Theory]
    [InlineData(0, "203.0.113.7", "10.0.0.4")]                          // no proxy trusted: the header is the caller's claim
    [InlineData(1, null, "10.0.0.4")]                                   // no header: the connection
    [InlineData(1, "203.0.113.7", "203.0.113.7")]                       // one proxy: what it saw
    [InlineData(1, "198.51.100.1, 203.0.113.7", "203.0.113.7")]         // the caller prepended a spoofed address
    [InlineData(1, "1.1.1.1,2.2.2.2, 3.3.3.3 ,203.0.113.7", "203.0.113.7")]
    [InlineData(2, "198.51.100.1, 203.0.113.7, 10.1.2.3", "203.0.113.7")] // two proxies: the outer one's entry
    [InlineData(2, "203.0.113.7", "203.0.113.7")]                       // fewer entries than hops: the leftmost, which a proxy wrote
    [InlineData(1, "203.0.113.7:51234", "203.0.113.7")]                 // with a port
    [InlineData(1, "[2001:db8::1]:443", "2001:db8::1")]
    [InlineData(1, "2001:db8::2", "2001:db8::2")]
    [InlineData(1, "::ffff:203.0.113.9", "203.0.113.9")]                // IPv4-mapped counts as the IPv4 address
    [InlineData(1, "198.51.100.1, not-an-address", "10.0.0.4")]         // garbage from a proxy: the connection, not the spoof
    [InlineData(1, " , ", "10.0.0.4")]
    public void The_client_is_the_address_the_outermost_trusted_proxy_saw(int hops, string? forwardedFor, string expected) =>
        Assert.Equal(IPAddress.Parse(expected), ClientAddress.Of(Connection, forwardedFor, hops));

    [Fact]
    public void A_padded_header_costs_a_bounded_read_and_still_yields_the_last_entry()
    {
        var padded = string.Join(", ", Enumerable.Range(0, 100_000).Select(i => $"198.51.{i % 250}.{i % 200}")) + ", 203.0.113.7";

        Assert.Equal(IPAddress.Parse("203.0.113.7"), ClientAddress.Of(Connection, padded, 1));
    }
}
