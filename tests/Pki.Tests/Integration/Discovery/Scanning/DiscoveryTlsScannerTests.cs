using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Pki.Core;
using Pki.Core.Discovery;
using Pki.Core.Discovery.Scanning;
using Pki.Tests.Infrastructure;

namespace Pki.Tests.Integration.Discovery.Scanning;

[Collection(TlsEndpointsCollection.Name)]
public sealed class DiscoveryTlsScannerTests(TlsEndpoints endpoints)
{
    public static TheoryData<string> EndpointNames =>
        ["good", "expired", "self-signed", "weak-key", "sha1-signature", "wrong-name", "incomplete-chain", "legacy-tls10", "legacy-enabled", "no-revocation"];

    private static TlsScanner Scanner(
        string[]? allowed = null, int connectMs = 3000, int handshakeMs = 5000, int concurrency = 32,
        TimeProvider? time = null, ILogger<TlsScanner>? logger = null, bool probeLegacy = true)
    {
        var options = Options.Create(new PkiOptions
        {
            Discovery = new DiscoveryOptions
            {
                AllowedNetworks = [.. allowed ?? ["127.0.0.0/8"]],
                ConnectTimeoutMs = connectMs,
                HandshakeTimeoutMs = handshakeMs,
                ScanConcurrency = concurrency,
                ProbeLegacyProtocols = probeLegacy,
            },
        });
        return new TlsScanner(new NetworkPolicy(options), options, time ?? TimeProvider.System, logger ?? new FakeLogger<TlsScanner>());
    }

    [Theory]
    [MemberData(nameof(EndpointNames))]
    public async Task The_chain_is_recorded_exactly_as_the_server_presents_it(string name)
    {
        var endpoint = endpoints.All.Single(e => e.Name == name);

        var result = await Scanner().ScanAsync(endpoint.ToScanned(), CancellationToken.None);

        Assert.True(result.Outcome == ScanOutcome.Tls, $"{endpoint}: {result.Outcome} {result.Message}");
        Assert.Equal(endpoint.ServedChain.Count, result.Chain.Count);
        for (var i = 0; i < endpoint.ServedChain.Count; i++)
        {
            Assert.Equal(endpoint.ServedChain[i], result.Chain[i]);
        }

        Assert.Equal(endpoint.Protocol, result.Protocol);
        Assert.Equal("127.0.0.1", result.Address);
        Assert.True(result.Message is null, result.Message);
    }

    [Theory]
    [InlineData("good", new string[0])]
    [InlineData("legacy-enabled", new[] { "Tls11", "Tls10" })]
    [InlineData("legacy-tls10", new[] { "Tls10" })]
    public async Task The_deprecated_versions_an_endpoint_still_accepts_are_found_as_the_openssl_client_finds_them(string name, string[] expected)
    {
        var endpoint = endpoints.All.Single(e => e.Name == name);

        var result = await Scanner().ScanAsync(endpoint.ToScanned(), CancellationToken.None);

        Assert.Equal(expected, result.LegacyProtocols);

        // The judge: OpenSSL's own client, offering one version at a time (security level 0, so it may offer them at all).
        foreach (var (version, flag) in new[] { ("Tls10", "-tls1"), ("Tls11", "-tls1_1") })
        {
            var handshake = Openssl.RunWithInput(string.Empty, "s_client", "-connect", $"127.0.0.1:{endpoint.Port}", flag, "-cipher", "DEFAULT@SECLEVEL=0", "-servername", TlsEndpoints.Endpoint.ServerName);
            Assert.True(expected.Contains(version) == (handshake.ExitCode == 0), $"{name} {flag}: openssl s_client exit {handshake.ExitCode}, we found [{string.Join(", ", expected)}]");
        }

        Assert.Empty((await Scanner(probeLegacy: false).ScanAsync(endpoints.LegacyEnabled.ToScanned(), CancellationToken.None)).LegacyProtocols ?? []);
    }

    [Fact]
    public async Task A_complete_chain_is_leaf_then_intermediate_and_an_incomplete_one_is_the_leaf_alone()
    {
        var scanner = Scanner();

        var good = await scanner.ScanAsync(endpoints.Good.ToScanned(), CancellationToken.None);
        var incomplete = await scanner.ScanAsync(endpoints.IncompleteChain.ToScanned(), CancellationToken.None);

        Assert.Equal([endpoints.Good.LeafDer, endpoints.IntermediateDer], good.Chain);
        Assert.Equal([endpoints.IncompleteChain.LeafDer], incomplete.Chain);
    }

    [Fact]
    public async Task Nothing_is_fetched_to_complete_or_check_a_chain()
    {
        // The incomplete chain's leaf names AIA, OCSP and CRL URLs on a listener that counts connections.
        var result = await Scanner().ScanAsync(endpoints.IncompleteChain.ToScanned(), CancellationToken.None);

        Assert.Equal(ScanOutcome.Tls, result.Outcome);
        Assert.Equal(0, endpoints.FetchAttempts);
    }

    [Fact]
    public async Task A_port_nothing_listens_on_is_refused()
    {
        var result = await Scanner().ScanAsync(new ScannedEndpoint("127.0.0.1", endpoints.DeadPort, null), CancellationToken.None);

        Assert.Equal(ScanOutcome.Refused, result.Outcome);
        Assert.Empty(result.Chain);
        Assert.Equal("127.0.0.1", result.Address);
    }

    [Fact]
    public async Task A_server_that_answers_in_plain_HTTP_is_not_TLS()
    {
        var result = await Scanner().ScanAsync(new ScannedEndpoint("127.0.0.1", endpoints.NotTlsPort, "good.test"), CancellationToken.None);

        Assert.Equal(ScanOutcome.NotTls, result.Outcome);
        Assert.Contains("HTTP/1.0 400 Bad Request", result.Message);
        Assert.Empty(result.Chain);
    }

    [Fact]
    public async Task A_server_that_never_answers_times_out_within_the_handshake_budget()
    {
        var wall = Stopwatch.StartNew();

        var result = await Scanner(handshakeMs: 400).ScanAsync(new ScannedEndpoint("127.0.0.1", endpoints.SilentPort, null), CancellationToken.None);

        Assert.Equal(ScanOutcome.TimedOut, result.Outcome);
        Assert.Contains("400 ms", result.Message);
        Assert.InRange(wall.Elapsed, TimeSpan.FromMilliseconds(350), TimeSpan.FromSeconds(3));
    }

    [Fact]
    public async Task A_connection_that_is_never_answered_times_out_within_the_connect_budget()
    {
        var wall = Stopwatch.StartNew();

        var result = await Scanner(connectMs: 400).ScanAsync(new ScannedEndpoint("127.0.0.1", endpoints.BlackholePort, null), CancellationToken.None);

        Assert.Equal(ScanOutcome.TimedOut, result.Outcome);
        Assert.Contains("no connection within 400 ms", result.Message);
        Assert.InRange(wall.Elapsed, TimeSpan.FromMilliseconds(350), TimeSpan.FromSeconds(3));
    }

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("localhost")]
    public async Task An_address_outside_the_allowed_networks_is_not_contacted(string host)
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;

        var result = await Scanner(allowed: ["10.0.0.0/8"]).ScanAsync(new ScannedEndpoint(host, port, null), CancellationToken.None);

        Assert.Equal(ScanOutcome.NotAllowed, result.Outcome);
        Assert.Contains("outside the allowed networks", result.Message);
        await Task.Delay(200);
        Assert.False(listener.Pending(), "the scanner connected to an address outside the allowed networks");
    }

    [Fact]
    public async Task A_name_that_does_not_resolve_is_unreachable()
    {
        var result = await Scanner().ScanAsync(new ScannedEndpoint("no-such-host.invalid", 443, null), CancellationToken.None);

        Assert.Equal(ScanOutcome.Unreachable, result.Outcome);
        Assert.Contains("no-such-host.invalid", result.Message);
    }

    [Fact]
    public async Task The_server_name_is_sent_as_SNI()
    {
        var hello = await CaptureClientHelloAsync(port => new ScannedEndpoint("127.0.0.1", port, "good.test"));

        Assert.Equal("good.test", ServerNameIndication(hello));
    }

    [Fact]
    public async Task An_international_server_name_is_sent_in_its_ASCII_form()
    {
        var hello = await CaptureClientHelloAsync(port => new ScannedEndpoint("127.0.0.1", port, "bücher.test"));

        Assert.Equal("xn--bcher-kva.test", ServerNameIndication(hello));
    }

    [Fact]
    public async Task A_server_name_that_cannot_be_a_DNS_name_fails_before_anything_is_sent()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();

        var result = await Scanner().ScanAsync(new ScannedEndpoint("127.0.0.1", ((IPEndPoint)listener.LocalEndpoint).Port, "a..b"), CancellationToken.None);

        Assert.Equal(ScanOutcome.Failed, result.Outcome);
        Assert.Contains("'a..b' is not a DNS name", result.Message);
        Assert.False(listener.Pending());
    }

    [Theory]
    [InlineData("localhost", null)]
    [InlineData("127.0.0.1", null)]
    [InlineData("127.0.0.1", "127.0.0.1")]
    public async Task No_SNI_is_sent_without_a_server_name_or_for_an_IP_literal(string host, string? serverName)
    {
        var hello = await CaptureClientHelloAsync(port => new ScannedEndpoint(host, port, serverName));

        Assert.Null(ServerNameIndication(hello));
    }

    [Fact]
    public async Task A_name_mismatch_is_recorded_not_refused()
    {
        var result = await Scanner().ScanAsync(endpoints.WrongName.ToScanned(), CancellationToken.None);

        Assert.Equal(ScanOutcome.Tls, result.Outcome);
        Assert.Equal(endpoints.WrongName.LeafDer, result.Chain[0]);
    }

    [Fact]
    public async Task Scan_all_returns_results_in_input_order_and_a_dead_host_blocks_no_other()
    {
        ScannedEndpoint[] list =
        [
            new("127.0.0.1", endpoints.BlackholePort, null),
            new("127.0.0.1", endpoints.SilentPort, null),
            .. endpoints.All.Select(e => e.ToScanned()),
            new("127.0.0.1", endpoints.DeadPort, null),
            new("127.0.0.1", endpoints.NotTlsPort, null),
            new("localhost", endpoints.Good.Port, null),
        ];
        var logger = new FakeLogger<TlsScanner>();
        var wall = Stopwatch.StartNew();

        var results = await Scanner(connectMs: 1000, handshakeMs: 1000, concurrency: 4, logger: logger).ScanAllAsync(list, CancellationToken.None);

        // Two dead hosts hold two of four slots for about a second; everything else goes through the other two.
        Assert.InRange(wall.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(5));
        Assert.Equal(list, results.Select(r => r.Endpoint));
        Assert.Equal(
            [ScanOutcome.TimedOut, ScanOutcome.TimedOut, .. endpoints.All.Select(_ => ScanOutcome.Tls), ScanOutcome.Refused, ScanOutcome.NotTls, ScanOutcome.Tls],
            results.Select(r => r.Outcome));
        Assert.Equal(endpoints.Good.ServedChain, results[^1].Chain);
    }

    [Fact]
    public async Task Each_endpoint_is_logged_at_debug_and_the_sweep_summarised_at_information()
    {
        var logger = new FakeLogger<TlsScanner>();
        ScannedEndpoint[] list = [endpoints.Good.ToScanned(), new("127.0.0.1", endpoints.DeadPort, null), new("127.0.0.1", endpoints.NotTlsPort, null)];

        await Scanner(logger: logger).ScanAllAsync(list, CancellationToken.None);

        var records = logger.Collector.GetSnapshot();
        var perEndpoint = records.Where(r => r.Level == LogLevel.Debug).ToList();
        Assert.Equal(3, perEndpoint.Count);
        Assert.Contains(perEndpoint, r => r.StructuredState!.Any(kv => kv.Key == "Location" && kv.Value == endpoints.Good.ToScanned().Location));
        Assert.Contains(perEndpoint, r => r.StructuredState!.Any(kv => kv.Key == "Outcome" && kv.Value == nameof(ScanOutcome.Refused)));

        var summary = Assert.Single(records, r => r.Level == LogLevel.Information);
        var state = summary.StructuredState!.ToDictionary(kv => kv.Key, kv => kv.Value);
        Assert.Equal("3", state["Endpoints"]);
        Assert.Equal("1", state["Tls"]);
        Assert.Equal("1", state["Refused"]);
        Assert.Equal("1", state["NotTls"]);
        Assert.Equal("0", state["TimedOut"]);
        Assert.True(state.ContainsKey("ElapsedMs"));
    }

    [Fact]
    public async Task Budgets_and_elapsed_time_run_on_the_injected_clock()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var scanner = Scanner(connectMs: 60_000, handshakeMs: 30_000, time: clock);

        var scan = scanner.ScanAsync(new ScannedEndpoint("127.0.0.1", endpoints.SilentPort, null), CancellationToken.None);
        for (var i = 0; i < 200 && !scan.IsCompleted; i++)
        {
            clock.Advance(TimeSpan.FromSeconds(1));
            await Task.Delay(25);
        }

        var result = await scan;
        Assert.Equal(ScanOutcome.TimedOut, result.Outcome);
        Assert.Contains("no TLS handshake within 30000 ms", result.Message);
        Assert.InRange(result.Elapsed, TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(60));
    }

    [Fact]
    public async Task The_callers_cancellation_throws_rather_than_becoming_an_outcome()
    {
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            Scanner().ScanAllAsync([new ScannedEndpoint("127.0.0.1", endpoints.SilentPort, null)], cancel.Token));
    }

    /// <summary>Scans a listener that records the first bytes it receives (the ClientHello) and hangs up.</summary>
    private static async Task<byte[]> CaptureClientHelloAsync(Func<int, ScannedEndpoint> endpointFor)
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var capture = Task.Run(async () =>
        {
            using var client = await listener.AcceptTcpClientAsync();
            var stream = client.GetStream();
            var hello = new MemoryStream();
            var buffer = new byte[4096];
            while (hello.Length < 5 || hello.Length < 5 + ((hello.GetBuffer()[3] << 8) | hello.GetBuffer()[4]))
            {
                var read = await stream.ReadAsync(buffer);
                if (read == 0)
                {
                    break;
                }

                hello.Write(buffer, 0, read);
            }

            return hello.ToArray();
        });

        var result = await Scanner().ScanAsync(endpointFor(port), CancellationToken.None);
        Assert.Equal(ScanOutcome.NotTls, result.Outcome);
        return await capture;
    }

    /// <summary>The host name in the ClientHello's server_name extension (RFC 6066), or null when there is none.</summary>
    private static string? ServerNameIndication(byte[] record)
    {
        Assert.Equal(22, record[0]);
        var at = 5 + 4 + 2 + 32; // record header, handshake header, client_version, random
        at += 1 + record[at]; // session_id
        at += 2 + ((record[at] << 8) | record[at + 1]); // cipher_suites
        at += 1 + record[at]; // compression_methods
        var end = at + 2 + ((record[at] << 8) | record[at + 1]);
        at += 2;
        while (at < end)
        {
            var type = (record[at] << 8) | record[at + 1];
            var length = (record[at + 2] << 8) | record[at + 3];
            if (type == 0)
            {
                // server_name_list length (2), name_type (1), host_name length (2), host_name.
                var nameLength = (record[at + 7] << 8) | record[at + 8];
                return Encoding.ASCII.GetString(record, at + 9, nameLength);
            }

            at += 4 + length;
        }

        return null;
    }
}
