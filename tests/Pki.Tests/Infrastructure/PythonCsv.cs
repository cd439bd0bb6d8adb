using System.Diagnostics;
using System.Text;
using System.Text.Json;

namespace Pki.Tests.Infrastructure;

/// <summary>
/// Parses CSV with Python's csv module, an independent reader: what it gets back is what a spreadsheet or a
/// script of an auditor would get, not what our own writer believes it wrote.
/// </summary>
public static class PythonCsv
{
    // Strict: a stray quote or a record that does not end where RFC 4180 says it must is an error, not a guess.
    private const string Script =
        "import csv, io, json, sys\n" +
        "data = sys.stdin.buffer.read().decode('utf-8')\n" +
        "rows = list(csv.reader(io.StringIO(data, newline=''), strict=True))\n" +
        "json.dump(rows, sys.stdout)\n";

    public static IReadOnlyList<string[]> Parse(string csv)
    {
        var psi = new ProcessStartInfo("python3")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardInputEncoding = new UTF8Encoding(false),
            StandardOutputEncoding = Encoding.UTF8,
        };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add(Script);
        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.StandardInput.Write(csv);
        process.StandardInput.Close();
        if (!process.WaitForExit(30_000))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException("python3 did not finish parsing the CSV.");
        }

        Assert.True(process.ExitCode == 0, "python3's csv module refused the CSV: " + stderr.Result);
        return JsonSerializer.Deserialize<string[][]>(stdout.Result)!;
    }
}
