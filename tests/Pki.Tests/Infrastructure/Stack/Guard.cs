using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Pki.Tests.Infrastructure.Stack;

/// <summary>
/// A bash process in its own session that owns a temporary folder and, optionally, a service running in it. When
/// told to stop (SIGTERM) or when the test process that started it is gone (however that ended: the test host may be
/// killed before its exit handlers finish), it sends the service one SIGTERM, waits for it, and removes the folder.
/// </summary>
internal sealed class Guard : IDisposable
{
    private const string Script = """
        owner=$1 dir=$2; shift 2
        svc=
        if [ $# -gt 0 ]; then "$@" >"$dir/azurite.log" 2>&1 & svc=$!; fi
        echo "$$ ${svc:-0}"
        stop() { if [ -n "$svc" ]; then kill -TERM "$svc" 2>/dev/null; wait "$svc" 2>/dev/null; fi; rm -rf "$dir"; exit 0; }
        trap stop TERM
        while kill -0 "$owner" 2>/dev/null && { [ -z "$svc" ] || kill -0 "$svc" 2>/dev/null; }; do sleep 0.5 & wait $!; done
        stop
        """;

    private readonly Process _bash;
    private readonly int _guardPid;
    private int _disposed;

    private Guard(Process bash, int guardPid, int azuritePid)
    {
        _bash = bash;
        _guardPid = guardPid;
        AzuritePid = azuritePid;
    }

    public int AzuritePid { get; }

    public bool AzuriteRunning => AzuritePid != 0 && kill(AzuritePid, 0) == 0;

    public static Guard Start(string folder, IReadOnlyList<string> command, int? owner = null)
    {
        var start = new ProcessStartInfo("setsid") { RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var arg in (string[])["bash", "-c", Script, "pki-test-guard", (owner ?? Environment.ProcessId).ToString(), folder, .. command])
        {
            start.ArgumentList.Add(arg);
        }

        var bash = Process.Start(start) ?? throw new InvalidOperationException("could not start bash");
        var pids = (bash.StandardOutput.ReadLine() ?? throw new InvalidOperationException("the guard process printed no pid")).Split(' ');
        return new Guard(bash, int.Parse(pids[0]), int.Parse(pids[1]));
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        kill(_guardPid, 15);
        if (_bash.Id == _guardPid)
        {
            _bash.WaitForExit(TimeSpan.FromSeconds(30));
        }
        else
        {
            // setsid forked: the guard is not our child, so poll its pid.
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (kill(_guardPid, 0) == 0 && DateTime.UtcNow < deadline)
            {
                Thread.Sleep(50);
            }
        }

        _bash.Dispose();
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int sig);
}
