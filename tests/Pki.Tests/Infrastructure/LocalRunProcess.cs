using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Pki.Core.Access;

namespace Pki.Tests.Infrastructure;

/// <summary>
/// local/run as a person starts it, in a state folder and on ports of the test's own (its own Azurite, token, mail
/// server and dev host, the one the tests built), in a process group of its own so that a stop is a Ctrl-C; its console
/// is recorded.
/// </summary>
public sealed class LocalRunProcess : IAsyncDisposable
{
    private static readonly TimeSpan Readiness = TimeSpan.FromMinutes(3);
    private readonly Process _process;
    private readonly StringBuilder _log = new();

    private LocalRunProcess(Process process, int httpPort, string state)
    {
        _process = process;
        HttpPort = httpPort;
        State = state;
        Client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{httpPort}"), Timeout = TimeSpan.FromSeconds(30) };
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public int HttpPort { get; }

    public string State { get; }

    /// <summary>A client of the API that sends the admin key local/run made.</summary>
    public HttpClient Client { get; }

    /// <summary>Starts local/run on free ports with its state in <paramref name="state"/> and waits until it serves both CAs.</summary>
    public static async Task<LocalRunProcess> StartAsync(string state)
    {
        var ports = DistinctFreePorts(5);
        var start = new ProcessStartInfo("setsid", ["bash", Path.Combine(RepoPaths.Root, "local", "run")])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            Environment =
            {
                ["PKI_STATE"] = state,
                ["PKI_URLS"] = $"http://127.0.0.1:{ports[0]}",
                ["PKI_SMTP_PORT"] = ports[1].ToString(CultureInfo.InvariantCulture),
                ["PKI_AZURITE_PORTS"] = string.Join(' ', ports[2..]),
                ["PKI_DEVHOST_DLL"] = RepoPaths.BuildOutput(Path.Combine("local", "Pki.Local"), "Pki.Local.dll"),
            },
        };
        var run = new LocalRunProcess(Process.Start(start)!, ports[0], state);
        try
        {
            await run.WaitUntilReadyAsync();
            return run;
        }
        catch
        {
            // No local/run outlives a test that could not use it.
            await run.DisposeAsync();
            throw;
        }
    }

    /// <summary>Everything local/run and what it started wrote to the console so far.</summary>
    public string Log()
    {
        lock (_log)
        {
            return _log.ToString();
        }
    }

    /// <summary>Ctrl-C in a terminal: SIGINT to the whole process group; local/run's trap stops what it started.</summary>
    public async Task StopAsync()
    {
        using (var kill = Process.Start("kill", ["-INT", "--", "-" + _process.Id.ToString(CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await _process.WaitForExitAsync(timeout.Token);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            try
            {
                await StopAsync();
            }
            catch (OperationCanceledException)
            {
                // It did not stop on Ctrl-C within a minute: end it and what it started.
                _process.Kill(entireProcessTree: true);
            }
        }

        _process.Dispose();
        Client.Dispose();
    }

    /// <summary>
    /// Ports below Linux's ephemeral range (32768+), so no outgoing connection of a parallel test can take one between
    /// this check and the script's bind; all held open together so they differ.
    /// </summary>
    public static int[] DistinctFreePorts(int count)
    {
        var listeners = new List<TcpListener>();
        try
        {
            while (listeners.Count < count)
            {
                var listener = new TcpListener(IPAddress.Loopback, Random.Shared.Next(20000, 32000));
                try
                {
                    listener.Start();
                    listeners.Add(listener);
                }
                catch (SocketException)
                {
                }
            }

            return [.. listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port)];
        }
        finally
        {
            listeners.ForEach(l => l.Stop());
        }
    }

    private async Task WaitUntilReadyAsync()
    {
        var deadline = DateTime.UtcNow + Readiness;
        while (true)
        {
            try
            {
                using var response = await Client.GetAsync("/api/ca");
                if (response.IsSuccessStatusCode && (await response.JsonAsync()).GetArrayLength() == 2)
                {
                    Client.DefaultRequestHeaders.Add(KeyAuthenticator.ApiKeyHeader, (await File.ReadAllTextAsync(Path.Combine(State, "admin-api-key"))).Trim());
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }

            if (_process.HasExited || DateTime.UtcNow > deadline)
            {
                Assert.Fail($"local/run did not become ready (exited: {_process.HasExited}):\n{Log()}");
            }

            await Task.Delay(250);
        }
    }

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
