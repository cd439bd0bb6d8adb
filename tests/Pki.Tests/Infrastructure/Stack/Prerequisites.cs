using System.Diagnostics;

namespace Pki.Tests.Infrastructure.Stack;

/// <summary>Installs what the fixture needs and lacks the way local/test does: local/lib.sh's pki_install_prerequisites.</summary>
internal static class Prerequisites
{
    private static readonly Lock Gate = new();

    public static void Ensure(bool present, string what)
    {
        if (present)
        {
            return;
        }

        lock (Gate)
        {
            var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            start.ArgumentList.Add("-c");
            start.ArgumentList.Add("source \"$1/local/lib.sh\" && pki_install_prerequisites");
            start.ArgumentList.Add("pki-test-prerequisites");
            start.ArgumentList.Add(RepoPaths.Root);
            using var process = Process.Start(start)!;
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEnd();
            process.WaitForExit();
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"{what} is missing and local/lib.sh's pki_install_prerequisites failed ({process.ExitCode}): {output.Result}{error}");
            }
        }
    }
}
