using System.Diagnostics;
using System.Net.Http.Json;
using System.Text;

namespace Pki.Tests.Infrastructure;

/// <summary>
/// Debian's pebble-challtestsrv (package pebble, installed by local/test): a DNS server on loopback whose TXT records are
/// set over its management HTTP API (/set-txt, /clear-txt), the resolver the dns-01 tests point the service and lego at.
/// Its http-01, https-01 and tls-alpn-01 responders are off.
/// </summary>
public sealed class ChallTestSrv : IAsyncDisposable
{
    public const string Binary = "/usr/bin/pebble-challtestsrv";

    private readonly Process _process;
    private readonly StringBuilder _log = new();
    private readonly HttpClient _management;

    private ChallTestSrv(Process process, int dnsPort, int managementPort)
    {
        _process = process;
        DnsPort = dnsPort;
        ManagementUrl = new Uri($"http://127.0.0.1:{managementPort}");
        _management = new HttpClient { BaseAddress = ManagementUrl, Timeout = TimeSpan.FromSeconds(10) };
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    /// <summary>The UDP and TCP port its DNS server answers on 127.0.0.1.</summary>
    public int DnsPort { get; }

    public Uri ManagementUrl { get; }

    public string Resolver => "127.0.0.1:" + DnsPort;

    public static async Task<ChallTestSrv> StartAsync()
    {
        Assert.True(File.Exists(Binary), "pebble-challtestsrv is missing: local/test installs Debian's pebble package (local/lib.sh pki_install_prerequisites).");
        var ports = LocalRunProcess.DistinctFreePorts(2);
        var psi = new ProcessStartInfo(Binary,
            ["-dns01", "127.0.0.1:" + ports[0], "-management", "127.0.0.1:" + ports[1], "-http01", string.Empty, "-https01", string.Empty, "-tlsalpn01", string.Empty])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        var server = new ChallTestSrv(Process.Start(psi)!, ports[0], ports[1]);
        for (var i = 0; i < 100; i++)
        {
            try
            {
                // Any answer from the management API means it listens (the DNS server starts before it).
                using var probe = await server._management.PostAsJsonAsync("/clear-txt", new { host = "probe." });
                return server;
            }
            catch (HttpRequestException)
            {
                Assert.False(server._process.HasExited, "pebble-challtestsrv exited: " + server.Log());
                await Task.Delay(100);
            }
        }

        await server.DisposeAsync();
        Assert.Fail("pebble-challtestsrv did not listen in 10 s: " + server.Log());
        return server;
    }

    /// <summary>Adds a TXT value at <paramref name="fqdn"/> (a name with or without its final dot).</summary>
    public async Task SetTxtAsync(string fqdn, string value)
    {
        using var response = await _management.PostAsJsonAsync("/set-txt", new { host = Fqdn(fqdn), value });
        response.EnsureSuccessStatusCode();
    }

    public async Task ClearTxtAsync(string fqdn)
    {
        using var response = await _management.PostAsJsonAsync("/clear-txt", new { host = Fqdn(fqdn) });
        response.EnsureSuccessStatusCode();
    }

    public string Log()
    {
        lock (_log)
        {
            return _log.ToString();
        }
    }

    public async ValueTask DisposeAsync()
    {
        _management.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private static string Fqdn(string name) => name.EndsWith('.') ? name : name + ".";

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (_log)
            {
                _log.AppendLine(line);
            }
        }
    }
}
