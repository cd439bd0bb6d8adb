using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;

namespace Pki.Tests.Infrastructure;

/// <summary>
/// A dev host in a process of its own (the build beside the tests), its log and an admin client: for what needs
/// separate processes, such as two hosts on one token (PKCS#11 is initialised once per process) or a kill -9.
/// </summary>
public sealed partial class DevHostProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _log = new();
    private readonly TaskCompletionSource<Uri> _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private DevHostProcess(Process process)
    {
        _process = process;
        _process.OutputDataReceived += (_, e) => Read(e.Data);
        _process.ErrorDataReceived += (_, e) => Read(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public HttpClient Client { get; private set; } = null!;

    /// <summary>The test hosts' settings (<see cref="DevHostFixture.HostArgs"/>), and the line saying where the process listens.</summary>
    public static string[] Args(string tablePrefix, string rootId, string issuingId, params string[] extra) =>
    [
        .. DevHostFixture.HostArgs(tablePrefix, rootId, issuingId),
        "--Logging:LogLevel:Microsoft.Hosting.Lifetime=Information",
        .. extra,
    ];

    public static DevHostProcess Start(string[] args)
    {
        var psi = new ProcessStartInfo("dotnet", [RepoPaths.BuildOutput(Path.Combine("local", "Pki.Local"), "Pki.Local.dll"), .. args])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        return new DevHostProcess(Process.Start(psi)!);
    }

    public async Task WaitUntilListeningAsync()
    {
        var exited = _process.WaitForExitAsync();
        var done = await Task.WhenAny(_listening.Task, exited, Task.Delay(TimeSpan.FromSeconds(90)));
        Assert.True(done == _listening.Task, "the dev host did not start listening:\n" + Log());
        Client = TestCallers.Admin.Client(await _listening.Task);
    }

    public IEnumerable<string> Errors() => Log().Split('\n').Where(l => l.Contains("fail:", StringComparison.Ordinal) || l.Contains("crit:", StringComparison.Ordinal));

    /// <summary>SIGKILL: no shutdown, no flush, as a lost host.</summary>
    public async Task KillAsync()
    {
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        Client?.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        await _process.WaitForExitAsync();
        _process.Dispose();
    }

    private string Log()
    {
        lock (_log)
        {
            return _log.ToString();
        }
    }

    private void Read(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_log)
        {
            _log.AppendLine(line);
        }

        if (ListeningOn().Match(line) is { Success: true } match)
        {
            _listening.TrySetResult(new Uri(match.Groups[1].Value));
        }
    }

    [GeneratedRegex(@"Now listening on: (http://\S+)")]
    private static partial Regex ListeningOn();
}
