using System.Diagnostics;
using System.Text.Json;
using Pki.Tests.Infrastructure;

namespace Pki.Tests.EndToEnd.Acme;

/// <summary>What the real ACME clients' tests share: running the client binary, and reading back what it got.</summary>
internal static class ClientProcess
{
    /// <summary>
    /// Runs <paramref name="psi"/> (output redirected) for at most 2 minutes and returns its stdout; the test fails, with
    /// the client's output and <paramref name="diagnostics"/> (the host's errors and whatever else explains it), when it
    /// does not finish or exits non-zero. <paramref name="what"/> names the run in that message.
    /// </summary>
    public static string Run(ProcessStartInfo psi, string what, Func<string> diagnostics)
    {
        ArgumentNullException.ThrowIfNull(psi);
        ArgumentNullException.ThrowIfNull(diagnostics);
        psi.RedirectStandardOutput = true;
        psi.RedirectStandardError = true;
        psi.UseShellExecute = false;
        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(2)))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            Assert.Fail($"{what} did not finish in 2 minutes: {stdout.Result}\n{stderr.Result}\n{diagnostics()}");
        }

        Assert.True(process.ExitCode == 0, $"{what} exited {process.ExitCode}: {stdout.Result}\n{stderr.Result}\n{diagnostics()}");
        return stdout.Result;
    }

    /// <summary>The serial number of the certificate in <paramref name="pem"/> (a file), as openssl reads it, lower-case hex.</summary>
    public static string Serial(string pem) =>
        Openssl.Run("x509", "-in", pem, "-noout", "-serial").EnsureSuccess().Stdout.Trim()["serial=".Length..].ToLowerInvariant();

    /// <summary>The service's record of <paramref name="serial"/> (GET /api/certificates/{serial}).</summary>
    public static async Task<JsonElement> CertificateAsync(DevHostFixture host, string serial) =>
        JsonDocument.Parse(await host.Client.GetStringAsync($"/api/certificates/{serial}")).RootElement.Clone();
}
