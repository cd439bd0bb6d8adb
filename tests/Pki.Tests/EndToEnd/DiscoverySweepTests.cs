using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Pki.Core.Storage;
using Pki.Tests.Infrastructure;

namespace Pki.Tests.EndToEnd;

/// <summary>A sweep over real TLS endpoints (openssl s_server on loopback) through the dev host: the queue, the scanner, the inventory.</summary>
public sealed class DiscoverySweepTests(DiscoverySweepFixture fixture) : IClassFixture<DiscoverySweepFixture>
{
    private HttpClient Client => fixture.Host.Client;

    private TlsEndpoints Endpoints => fixture.Endpoints;

    [Fact]
    public async Task A_sweep_finds_each_endpoint_with_its_findings_reports_dead_ones_and_a_repeat_duplicates_nothing()
    {
        foreach (var endpoint in Endpoints.All)
        {
            await Client.AddTargetAsync(new { kind = "endpoint", host = "127.0.0.1", port = endpoint.Port, serverName = TlsEndpoints.Endpoint.ServerName });
        }

        await Client.AddTargetAsync(new { kind = "hosts", hosts = new[] { "127.0.0.1" }, ports = new[] { Endpoints.DeadPort, Endpoints.NotTlsPort, Endpoints.SilentPort } });

        var sweep = await Client.SweepAsync(fixture.Host.ErrorLog);
        var outcomes = sweep.GetProperty("outcomes");
        Assert.Equal(Endpoints.All.Count, outcomes.GetProperty("Tls").GetInt32());
        Assert.Equal(1, outcomes.GetProperty("Refused").GetInt32());
        Assert.Equal(1, outcomes.GetProperty("NotTls").GetInt32());
        Assert.Equal(1, outcomes.GetProperty("TimedOut").GetInt32());
        var failed = sweep.GetProperty("failures").EnumerateArray().ToDictionary(f => f.GetProperty("location").GetString()!, f => f.GetProperty("outcome").GetString());
        Assert.Equal("Refused", failed[$"127.0.0.1:{Endpoints.DeadPort}"]);
        Assert.Equal("NotTls", failed[$"127.0.0.1:{Endpoints.NotTlsPort}"]);
        Assert.Equal("TimedOut", failed[$"127.0.0.1:{Endpoints.SilentPort}"]);

        var expected = new Dictionary<TlsEndpoints.Endpoint, string[]>
        {
            [Endpoints.Good] = [],
            [Endpoints.LegacyTls10] = ["legacy-tls"],
            [Endpoints.LegacyEnabled] = ["legacy-tls"],
            [Endpoints.NoRevocation] = ["no-revocation-url"],
            [Endpoints.Expired] = ["expired"],
            [Endpoints.SelfSigned] = ["self-signed", "untrusted"],
            [Endpoints.WeakKey] = ["weak-key"],
            [Endpoints.Sha1Signature] = ["weak-signature"],
            [Endpoints.WrongName] = ["hostname-mismatch"],
            [Endpoints.IncompleteChain] = ["chain-incomplete"],
        };
        foreach (var (endpoint, codes) in expected)
        {
            var item = await Client.GetJsonAsync($"/api/inventory/{DiscoveryClient.Fingerprint(endpoint.LeafDer)}");
            var found = item.GetProperty("findings").EnumerateArray().Select(f => f.GetProperty("code").GetString()).Order().ToArray();
            Assert.True(codes.Order().SequenceEqual(found), $"{endpoint.Name}: expected [{string.Join(", ", codes)}], found [{string.Join(", ", found)}]");
            Assert.All(item.GetProperty("findings").EnumerateArray(), f => Assert.False(string.IsNullOrWhiteSpace(f.GetProperty("message").GetString())));

            // The chain exactly as served: the leaf at position 0, and the intermediate after it where one was sent.
            var location = Assert.Single(item.GetProperty("locations").EnumerateArray());
            Assert.Equal($"127.0.0.1:{endpoint.Port}/{TlsEndpoints.Endpoint.ServerName}", location.GetProperty("location").GetString());
            Assert.Equal(endpoint.ServedChain.Select(DiscoveryClient.Fingerprint), location.GetProperty("chain").EnumerateArray().Select(c => c.GetString()));
        }

        var weak = await Client.GetJsonAsync("/api/inventory?finding=weak-key");
        Assert.Equal([DiscoveryClient.Fingerprint(Endpoints.WeakKey.LeafDer)], weak.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("fingerprint").GetString()));

        var rows = await CountInventoryRowsAsync();
        var again = await Client.SweepAsync(fixture.Host.ErrorLog);
        Assert.Equal(Endpoints.All.Count, again.GetProperty("outcomes").GetProperty("Tls").GetInt32());
        Assert.Equal(rows, await CountInventoryRowsAsync());
        var good = await Client.GetJsonAsync($"/api/inventory/{DiscoveryClient.Fingerprint(Endpoints.Good.LeafDer)}");
        var seen = Assert.Single(good.GetProperty("locations").EnumerateArray());
        Assert.Equal(again.GetProperty("id").GetString(), seen.GetProperty("sweepId").GetString());
        Assert.True(seen.GetProperty("lastSeen").GetDateTimeOffset() > seen.GetProperty("firstSeen").GetDateTimeOffset());
    }

    private async Task<(int Items, int Locations, int ByLocation)> CountInventoryRowsAsync() =>
        (await fixture.Host.CountRowsAsync(TableNames.Inventory), await fixture.Host.CountRowsAsync(TableNames.InventoryLocations), await fixture.Host.CountRowsAsync(TableNames.InventoryByLocation));




}
