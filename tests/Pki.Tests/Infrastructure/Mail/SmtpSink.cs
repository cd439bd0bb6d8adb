using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using MimeKit;

namespace Pki.Tests.Infrastructure.Mail;

/// <summary>
/// A real SMTP server on a loopback port: aiosmtpd (Debian's python3-aiosmtpd, installed by local/lib.sh) running
/// smtp_sink.py, which writes each accepted message to <see cref="Folder"/>. It can be stopped and started again on the
/// same port, to play a mail server that is down.
/// </summary>
public sealed class SmtpSink : IAsyncDisposable
{
    // Debian's interpreter, which the package installs into; another python3 may come first on PATH.
    private const string Python = "/usr/bin/python3";
    private Process? _process;

    private SmtpSink(int port, string folder)
    {
        Port = port;
        Folder = folder;
    }

    public int Port { get; }

    public string Folder { get; }

    /// <summary>
    /// Settings for a dev host that mails through this sink from <paramref name="from"/>, escalates to
    /// <paramref name="adminAddress"/>, logs the service's information lines and retries queue messages after a second.
    /// </summary>
    public string[] HostArgs(string from, string adminAddress) =>
    [
        "--Pki:Notifications:Smtp:Host=127.0.0.1",
        "--Pki:Notifications:Smtp:Port=" + Port,
        "--Pki:Notifications:Smtp:From=PKI <" + from + ">",
        "--Pki:Notifications:Smtp:TimeoutSeconds=5",
        "--Pki:Notifications:AdminAddresses=" + adminAddress,
        "--Logging:LogLevel:Pki=Information",
        "--AzureFunctionsJobHost:extensions:queues:visibilityTimeout=00:00:01",
        "--AzureFunctionsJobHost:extensions:queues:maxPollingInterval=00:00:00.300",
    ];

    public static async Task<SmtpSink> StartAsync()
    {
        var sink = new SmtpSink(FreePort(), Directory.CreateTempSubdirectory("pki-smtp-").FullName);
        await sink.StartAgainAsync();
        return sink;
    }

    /// <summary>Starts the server (again) on its port.</summary>
    public async Task StartAgainAsync()
    {
        var script = Path.Combine(RepoPaths.Root, "tests", "Pki.Tests", "Infrastructure", "Mail", "smtp_sink.py");
        var start = new ProcessStartInfo(Python) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { script, Port.ToString(System.Globalization.CultureInfo.InvariantCulture), Folder })
        {
            start.ArgumentList.Add(arg);
        }

        _process = Process.Start(start) ?? throw new InvalidOperationException($"{Python} did not start; local/lib.sh installs python3-aiosmtpd.");
        var ready = await _process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30));
        if (ready != "ready")
        {
            var error = await _process.StandardError.ReadToEndAsync();
            throw new InvalidOperationException($"The SMTP sink did not start (is python3-aiosmtpd installed? local/lib.sh installs it): {error}");
        }
    }

    /// <summary>Stops the server: connections to its port are refused until <see cref="StartAgainAsync"/>.</summary>
    public async Task StopAsync()
    {
        if (_process is { HasExited: false } process)
        {
            process.Kill();
            await process.WaitForExitAsync();
        }

        _process?.Dispose();
        _process = null;
    }

    /// <summary>Every message received so far, in order.</summary>
    public IReadOnlyList<MimeMessage> Messages() =>
        Directory.GetFiles(Folder, "*.eml").Order(StringComparer.Ordinal).Select(f => MimeMessage.Load(f)).ToArray();

    /// <summary>Waits until a received message matches; fails after <paramref name="timeout"/> naming what did arrive.</summary>
    public async Task<MimeMessage> WaitForAsync(Func<MimeMessage, bool> match, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (true)
        {
            if (Messages().FirstOrDefault(match) is { } found)
            {
                return found;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("No matching mail arrived; received: " + string.Join(" | ", Messages().Select(m => $"{m.To} {m.Subject}")));
            }

            await Task.Delay(100);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
            // A temporary folder left behind is harmless.
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
