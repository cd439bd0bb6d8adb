using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;
using Pki.Core.Access;
using Pki.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Pki.Tests.EndToEnd;

/// <summary>
/// Issue 16: README examples answered 401 (no X-API-Key on the discovery, revoke, root CRL and admin calls) and called
/// uuidgen, which a fresh Debian lacks. Every ```sh block of the README now runs here, in order and in one folder (a
/// reader's repository, its local/.state the state of a local/run this test starts), under bash -euo pipefail with only
/// the programs of a fresh Debian and of local/run's prerequisites on the PATH. A block passes when it exits as documented
/// (0 unless its marker says otherwise), no command was missing, and local/run's console shows no request of the block
/// answered 400 or above (the dev host writes a line for every such answer). Blocks that cannot run say why in their
/// marker, and the test prints it.
/// </summary>
public sealed partial class ReadmeExamplesTests(ITestOutputHelper output) : IDisposable
{
    private static readonly TimeSpan BlockTimeout = TimeSpan.FromMinutes(3);

    // The console logger writes from a queue of its own: a moment for the last request lines of a block to arrive.
    private static readonly TimeSpan ConsoleSettle = TimeSpan.FromSeconds(1);

    private readonly string _root = Directory.CreateTempSubdirectory("pki-readme-").FullName;

    [Fact]
    public async Task Every_shell_example_in_the_readme_runs_against_local_run()
    {
        var problems = new List<string>();
        var examples = ReadmeExamples.Parse(await File.ReadAllTextAsync(Path.Combine(RepoPaths.Root, "README.md")), problems);
        Assert.True(problems.Count == 0, string.Join("\n", problems));
        Assert.True(examples.Count(e => e.NotRunBecause is null) >= 10, $"only {examples.Count} examples found");

        // The callers the examples name besides the admin: a requester and an approver, in access.env as the README says.
        var state = Directory.CreateDirectory(Path.Combine(_root, "state")).FullName;
        var requester = TestCallers.PaymentsRequester;
        var approver = TestCallers.Approver;
        await File.WriteAllTextAsync(Path.Combine(state, "access.env"), string.Join("\n", AccessLines("release_bot", requester).Concat(AccessLines("release_approver", approver))) + "\n");
        var provided = new Dictionary<string, string>(StringComparer.Ordinal) { ["REQUESTER_KEY"] = requester.Key, ["APPROVER_KEY"] = approver.Key };

        var work = Directory.CreateDirectory(Path.Combine(_root, "repo", "local")).Parent!.FullName;
        Directory.CreateSymbolicLink(Path.Combine(work, "local", ".state"), state);
        var path = FreshDebianPath.Create(Path.Combine(_root, "bin"), out var packages);
        output.WriteLine($"PATH: {packages.Count} packages ({string.Join(' ', packages)})");

        await using var run = await LocalRunProcess.StartAsync(state);
        var failures = new List<string>();
        var requestLines = 0;
        foreach (var example in examples)
        {
            if (example.NotRunBecause is { } why)
            {
                output.WriteLine($"{example.Where}: not run: {why}");
                continue;
            }

            var missing = example.Needs.Where(v => !provided.ContainsKey(v)).ToArray();
            if (missing.Length > 0)
            {
                failures.Add($"{example.Where} needs {string.Join(", ", missing)}, which this test does not provide");
                continue;
            }

            var logged = run.Log().Length;
            var result = await RunAsync(example, work, path, run.HttpPort, example.Needs.ToDictionary(v => v, v => provided[v]));
            await Task.Delay(ConsoleSettle);
            var requests = RequestLines(run.Log()[logged..]);
            requestLines += requests.Count;
            var refused = requests.Where(r => r.Status >= 400).ToArray();
            output.WriteLine($"{example.Where}: exit {result.ExitCode}, {requests.Count} requests logged{(refused.Length > 0 ? ", refused: " + string.Join("; ", refused.Select(r => r.Line)) : string.Empty)}");

            var wrong = new List<string>();
            if (result.ExitCode != example.ExitCode)
            {
                wrong.Add($"exit status {result.ExitCode}, documented {example.ExitCode}");
            }

            if (example.Prints is { } text && !(result.Output + result.Error).Contains(text, StringComparison.Ordinal))
            {
                wrong.Add($"its output lacks \"{text}\"");
            }

            if (CommandNotFound().Match(result.Error) is { Success: true } notFound)
            {
                wrong.Add($"a program a fresh Debian lacks: {notFound.Value}");
            }

            wrong.AddRange(refused.Select(r => "answered " + r.Line));
            if (wrong.Count > 0)
            {
                failures.Add($"{example.Where}: {string.Join("; ", wrong)}\n--- stdout\n{result.Output}--- stderr\n{result.Error}");
            }
        }

        Assert.True(failures.Count == 0, string.Join("\n\n", failures));

        // The check above reads the dev host's request lines; they must have been there to read.
        Assert.True(requestLines >= 10, $"only {requestLines} request lines on local/run's console:\n{run.Log()}");
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static IEnumerable<string> AccessLines(string name, TestCaller caller) =>
    [
        $"export Pki__Access__ApiKeys__{name}__Sha256={KeyAuthenticator.Hash(caller.Key)}",
        $"export Pki__Access__ApiKeys__{name}__Identity={caller.Identity}",
        $"export Pki__Access__ApiKeys__{name}__Team={caller.Team}",
        .. caller.Roles.Select((role, i) => $"export Pki__Access__ApiKeys__{name}__Roles__{i}={role}"),
    ];

    private static async Task<BlockResult> RunAsync(ReadmeExample example, string work, string path, int port, IReadOnlyDictionary<string, string> variables)
    {
        var start = new ProcessStartInfo("/bin/bash", ["-euo", "pipefail", "-c", example.Code.Replace("localhost:7071", $"127.0.0.1:{port}", StringComparison.Ordinal)])
        {
            WorkingDirectory = work,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };

        // A reader's login shell, not the test runner's environment.
        start.Environment.Clear();
        start.Environment["PATH"] = path;
        start.Environment["HOME"] = work;
        start.Environment["LANG"] = "C.UTF-8";
        foreach (var (name, value) in variables)
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(BlockTimeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            return new BlockResult(-1, await stdout, await stderr + $"\n(killed after {BlockTimeout})");
        }

        return new BlockResult(process.ExitCode, await stdout, await stderr);
    }

    /// <summary>The dev host's request lines in a stretch of console: "info: Pki.Local.RequestLog[n]", then the line itself.</summary>
    private static List<RequestLine> RequestLines(string console)
    {
        var lines = console.Split('\n');
        var found = new List<RequestLine>();
        for (var i = 0; i + 1 < lines.Length; i++)
        {
            if (lines[i].StartsWith("info: Pki.Local.RequestLog[", StringComparison.Ordinal) && Request().Match(lines[i + 1].Trim()) is { Success: true } match)
            {
                found.Add(new RequestLine(int.Parse(match.Groups["status"].Value, System.Globalization.CultureInfo.InvariantCulture), lines[i + 1].Trim()));
            }
        }

        return found;
    }

    [GeneratedRegex(@"^[A-Z]+ \S+ (?<status>\d{3})\b")]
    private static partial Regex Request();

    [GeneratedRegex(@"[^\n]*command not found[^\n]*")]
    private static partial Regex CommandNotFound();

    private sealed record BlockResult(int ExitCode, string Output, string Error);

    private sealed record RequestLine(int Status, string Line);
}
