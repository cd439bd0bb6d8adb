using Pki.Tests.Infrastructure;

namespace Pki.Tests.EndToEnd;

/// <summary>
/// Issue 16 item 7, over real TLS endpoints (openssl s_server) swept by a dev host that has no trust anchor configured:
/// a private chain served correctly (leaf and intermediate, not the root) cannot be verified here, which is a finding of
/// its own, not the "intermediate missing" of a server that really leaves it out; our own root is an anchor by default.
/// </summary>
public sealed class ChainVerifiabilityTests(ChainVerifiabilityTests.Fixture fixture) : IClassFixture<ChainVerifiabilityTests.Fixture>
{
    /// <summary>The test endpoints and a dev host started without <c>Pki:Inventory:TrustAnchorFiles</c>.</summary>
    public sealed class Fixture : IAsyncLifetime
    {
        public TlsEndpoints Endpoints { get; } = new();

        public DiscoveryHostFixture Host { get; } = new();

        public async Task InitializeAsync()
        {
            await Endpoints.InitializeAsync();
            await Host.InitializeAsync();
        }

        public async Task DisposeAsync()
        {
            await Host.DisposeAsync();
            await Endpoints.DisposeAsync();
        }
    }

    private HttpClient Client => fixture.Host.Client;

    [Fact]
    public async Task A_private_chain_served_whole_is_unverifiable_without_an_anchor_and_one_missing_its_intermediate_is_incomplete()
    {
        // Our own certificate, served by openssl with our issuing CA, and by another server without it.
        using var ssl = new Openssl();
        var key = ssl.NewKey("ours.key", "ec:P-256");
        var issued = await Client.IssueAsync(ssl.NewCsr(key, "/CN=good.test.internal", "DNS:good.test.internal"));
        var leaf = ssl.Write("ours.pem", issued.GetProperty("certificatePem").GetString()!);
        var chain = ssl.Write("ours-chain.pem", issued.GetProperty("chainPem").GetString()!);
        var ourChain = await fixture.Endpoints.ServeAsync("ours-with-chain", leaf, key, chain);
        var ourLeafAlone = await fixture.Endpoints.ServeAsync("ours-alone", leaf, key, chainPem: null);

        foreach (var endpoint in new[] { fixture.Endpoints.Good, fixture.Endpoints.IncompleteChain, ourChain, ourLeafAlone })
        {
            await Client.AddTargetAsync(new { kind = "endpoint", host = "127.0.0.1", port = endpoint.Port, serverName = TlsEndpoints.Endpoint.ServerName });
        }

        await Client.SweepAsync(fixture.Host.ErrorLog);

        var good = await ChainFindingsAsync(fixture.Endpoints.Good);
        var unverifiable = Assert.Single(good);
        Assert.Equal(("chain-unverifiable", "low"), (unverifiable.Code, unverifiable.Severity));
        Assert.Contains("no trust anchor for issuer 'CN=Pki Tests TLS Root'", unverifiable.Message, StringComparison.Ordinal);

        var incomplete = Assert.Single(await ChainFindingsAsync(fixture.Endpoints.IncompleteChain));
        Assert.Equal(("chain-incomplete", "high"), (incomplete.Code, incomplete.Severity));

        // Our root is a trust anchor though none is configured; our issuing CA left out is named.
        Assert.Empty(await ChainFindingsAsync(ourChain));
        var ours = Assert.Single(await ChainFindingsAsync(ourLeafAlone));
        Assert.Equal(("chain-incomplete", "high"), (ours.Code, ours.Severity));
        Assert.True(ours.Message.Contains("did not send the intermediate '", StringComparison.Ordinal), ours.Message);
    }

    /// <summary>The chain findings (incomplete, unverifiable, untrusted) of the certificate an endpoint serves, at that endpoint.</summary>
    private async Task<(string Code, string Severity, string Message)[]> ChainFindingsAsync(TlsEndpoints.Endpoint endpoint)
    {
        var item = await Client.GetJsonAsync($"/api/inventory/{DiscoveryClient.Fingerprint(endpoint.LeafDer)}");
        var location = Assert.Single(item.GetProperty("locations").EnumerateArray(), l => l.GetProperty("location").GetString() == $"127.0.0.1:{endpoint.Port}/{TlsEndpoints.Endpoint.ServerName}");
        return [.. location.GetProperty("findings").EnumerateArray()
            .Select(f => (Code: f.GetProperty("code").GetString()!, Severity: f.GetProperty("severity").GetString()!, Message: f.GetProperty("message").GetString()!))
            .Where(f => f.Code is "chain-incomplete" or "chain-unverifiable" or "untrusted")];
    }
}
