using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace Pki.Tests.Infrastructure.Stack;

/// <summary>
/// A temporary SoftHSM2 token with its own softhsm2.conf and a random PIN, as local/lib.sh's pki_init_token
/// makes one. SOFTHSM2_CONF points at it for this process (the native environment too, which SoftHSM reads when
/// the module is initialised: .NET's Environment.SetEnvironmentVariable alone does not reach it) and for every
/// process the tests start.
/// </summary>
public static class SoftHsmToken
{
    public const string Library = "/usr/lib/softhsm/libsofthsm2.so";

    public static bool Installed => File.Exists(Library) && OnPath("softhsm2-util");

    /// <summary>Initialises a token labelled <paramref name="label"/> under <paramref name="folder"/>; returns its user PIN.</summary>
    public static string Create(string folder, string label)
    {
        if (!Installed)
        {
            throw new InvalidOperationException($"SoftHSM2 is not installed ({Library}, softhsm2-util): `sudo apt-get install softhsm2`, or run `bash -c 'source local/lib.sh && pki_install_prerequisites'`.");
        }

        var tokens = Path.Combine(folder, "tokens");
        Directory.CreateDirectory(tokens);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        var conf = Path.Combine(folder, "softhsm2.conf");
        File.WriteAllText(conf, $"directories.tokendir = {tokens}\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n");
        var pin = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        var soPin = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

        var start = new ProcessStartInfo("softhsm2-util") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in (string[])["--init-token", "--free", "--label", label, "--so-pin", soPin, "--pin", pin])
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["SOFTHSM2_CONF"] = conf;
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"softhsm2-util --init-token failed ({process.ExitCode}): {output.Result}{error}");
        }

        Environment.SetEnvironmentVariable("SOFTHSM2_CONF", conf);
        if (setenv("SOFTHSM2_CONF", conf, 1) != 0)
        {
            throw new InvalidOperationException("setenv(SOFTHSM2_CONF) failed: " + Marshal.GetLastPInvokeErrorMessage());
        }

        return pin;
    }

    internal static bool OnPath(string tool) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Any(dir => File.Exists(Path.Combine(dir, tool)));

    [DllImport("libc", SetLastError = true)]
    private static extern int setenv(string name, string value, int overwrite);
}
