using Pki.Core.Access;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Pki.Tests.Infrastructure;

namespace Pki.Tests.EndToEnd;

/// <summary>
/// local/run itself, as a person uses it: start, issue, stop, start again. Its own state folder, token,
/// Azurite and dev host process, so nothing is shared with the in-process hosts of other tests.
/// </summary>
public sealed class LocalRunScriptTests : IDisposable
{
    private readonly string _state = Directory.CreateTempSubdirectory("pki-run-").FullName;
    private readonly int _httpPort;
    private readonly int _smtpPort;
    private readonly int[] _azuritePorts;
    private int _starts;

    public LocalRunScriptTests()
    {
        var ports = LocalRunProcess.DistinctFreePorts(5);
        (_httpPort, _smtpPort, _azuritePorts) = (ports[0], ports[1], ports[2..]);
    }

    [Fact]
    public async Task Certificates_and_ca_keys_survive_a_restart_of_local_run_and_it_stops_what_it_started()
    {
        using var ssl = new Openssl();
        var csr = ssl.NewCsr(ssl.NewKey("k", "ec:P-256"), "/CN=run.internal", "DNS:run.internal");
        string serial, certificate, rootPem, lastSerial;

        using (var run = await StartAsync())
        {
            var issued = await run.Client.IssueAsync(csr);
            serial = issued.GetProperty("serialNumber").GetString()!;
            certificate = issued.GetProperty("certificatePem").GetString()!;
            rootPem = await run.Client.GetStringAsync("/api/ca/root-ca/certificate");
            Openssl.AssertVerifies(ssl.Write("root.pem", rootPem), ssl.Write("chain.pem", issued.GetProperty("chainPem").GetString()!), ssl.Write("leaf.pem", certificate));

            // Issued a moment before Ctrl-C, well inside Azurite's 5 s between saves: only the save as it stops keeps it.
            lastSerial = (await run.Client.IssueAsync(csr)).GetProperty("serialNumber").GetString()!;
            await run.StopAsync();
        }

        AssertNothingListens();

        using (var run = await StartAsync())
        {
            using var response = await run.Client.GetAsync("/api/certificates/" + serial);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(certificate, (await response.JsonAsync()).GetProperty("certificatePem").GetString());
            using var last = await run.Client.GetAsync("/api/certificates/" + lastSerial);
            Assert.Equal(HttpStatusCode.OK, last.StatusCode);
            Assert.Equal(rootPem, await run.Client.GetStringAsync("/api/ca/root-ca/certificate"));
            await run.StopAsync();
        }

        AssertNothingListens();

        // The restart reused the token instead of initialising another one with the same label.
        var slots = RunTool("softhsm2-util", ["--show-slots"], ("SOFTHSM2_CONF", Path.Combine(_state, "softhsm", "softhsm2.conf")));
        Assert.Single(slots.Split('\n'), l => l.Trim().StartsWith("Label:", StringComparison.Ordinal) && l.Contains("pki-ca", StringComparison.Ordinal));
    }

    private async Task<RunningScript> StartAsync()
    {
        // Its own process group, as a terminal's foreground job, so the stop can be a Ctrl-C: SIGINT to the whole group.
        var psi = new ProcessStartInfo("setsid", ["bash", Path.Combine(RepoPaths.Root, "local", "run")])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            Environment =
            {
                ["PKI_STATE"] = _state,
                ["PKI_URLS"] = $"http://127.0.0.1:{_httpPort}",
                ["PKI_AZURITE_PORTS"] = string.Join(' ', _azuritePorts),
                ["PKI_SMTP_PORT"] = _smtpPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["PKI_DEVHOST_DLL"] = RepoPaths.BuildOutput(Path.Combine("local", "Pki.Local"), "Pki.Local.dll"),
            },
        };
        var process = Process.Start(psi)!;
        var log = new System.Text.StringBuilder();
        process.OutputDataReceived += (_, e) => { lock (log) { log.AppendLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (log) { log.AppendLine(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{_httpPort}"), Timeout = TimeSpan.FromSeconds(30) };
        var keyFile = Path.Combine(_state, "admin-api-key");
        var deadline = DateTime.UtcNow.AddMinutes(3);
        while (true)
        {
            try
            {
                using var response = await client.GetAsync("/api/ca");
                if (response.IsSuccessStatusCode && (await response.JsonAsync()).GetArrayLength() == 2)
                {
                    // Stopped again should an assertion below fail, so that no local/run outlives the test.
                    var running = new RunningScript(process, client);
                    try
                    {
                        // The admin key local/run made on the first start.
                        var key = await File.ReadAllTextAsync(keyFile);
                        Assert.StartsWith("pki_", key, StringComparison.Ordinal);
                        Assert.True(OperatingSystem.IsWindows() || File.GetUnixFileMode(keyFile) == (UnixFileMode.UserRead | UnixFileMode.UserWrite), "the admin key file must be readable by its owner only");
                        client.DefaultRequestHeaders.Remove(KeyAuthenticator.ApiKeyHeader);
                        client.DefaultRequestHeaders.Add(KeyAuthenticator.ApiKeyHeader, key);

                        // Never printed: the first start says where it is, later starts reuse it silently.
                        lock (log)
                        {
                            Assert.DoesNotContain(key, log.ToString(), StringComparison.Ordinal);
                            Assert.Equal(++_starts == 1, log.ToString().Contains($"created an admin API key in {keyFile}", StringComparison.Ordinal));
                        }

                        return running;
                    }
                    catch
                    {
                        running.Dispose();
                        throw;
                    }
                }
            }
            catch (HttpRequestException)
            {
            }

            if (process.HasExited || DateTime.UtcNow > deadline)
            {
                process.Kill(entireProcessTree: true);
                lock (log)
                {
                    Assert.Fail($"local/run did not become ready (exited: {process.HasExited}):\n{log}");
                }
            }

            await Task.Delay(250);
        }
    }

    private void AssertNothingListens()
    {
        foreach (var port in _azuritePorts.Append(_httpPort).Append(_smtpPort))
        {
            using var tcp = new TcpClient();
            Assert.ThrowsAny<SocketException>(() => tcp.Connect(IPAddress.Loopback, port));
        }
    }

    private static string RunTool(string file, string[] args, (string Name, string Value) env)
    {
        var psi = new ProcessStartInfo(file, args) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.Environment[env.Name] = env.Value;
        using var process = Process.Start(psi)!;
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return output;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_state, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private sealed class RunningScript(Process process, HttpClient client) : IDisposable
    {
        public HttpClient Client { get; } = client;

        /// <summary>
        /// Ctrl-C in a terminal: SIGINT to every process of the foreground group (the script and whatever shares its
        /// group); the script's trap stops what it started.
        /// </summary>
        public async Task StopAsync()
        {
            using (var kill = Process.Start("kill", ["-INT", "--", "-" + process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            {
                await kill.WaitForExitAsync();
            }

            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            await process.WaitForExitAsync(timeout.Token);
        }

        public void Dispose()
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }

            process.Dispose();
            Client.Dispose();
        }
    }
}
