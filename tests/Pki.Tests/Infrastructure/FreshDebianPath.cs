using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Pki.Tests.Infrastructure;

/// <summary>
/// A PATH holding only what a fresh Debian has and what local/run installs: the programs of the installed packages that
/// are Essential or of Priority required (what debootstrap's minimal system holds) and of the packages
/// <c>pki_install_prerequisites</c> in local/lib.sh installs, each linked into one folder. A README example that runs a
/// program beyond those (uuidgen, say) then fails as it would on a reader's fresh machine.
/// </summary>
public static partial class FreshDebianPath
{
    private static readonly string[] BinaryFolders = ["/bin/", "/usr/bin/", "/sbin/", "/usr/sbin/"];

    /// <summary>Links the programs into <paramref name="folder"/> and returns it; the packages it drew from go to <paramref name="packages"/>.</summary>
    public static string Create(string folder, out IReadOnlyList<string> packages)
    {
        Directory.CreateDirectory(folder);
        var baseSystem = Run("dpkg-query", "-W", "-f=${Package}\t${Essential}\t${Priority}\t${db:Status-Abbrev}\n")
            .Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Split('\t'))
            .Where(f => f.Length == 4 && f[3].StartsWith("ii", StringComparison.Ordinal) && (f[1] == "yes" || f[2] == "required"))
            .Select(f => f[0]);
        packages = [.. baseSystem.Concat(Prerequisites()).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];
        foreach (var package in packages)
        {
            foreach (var file in Run("dpkg", "-L", package).Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                var link = Path.Combine(folder, Path.GetFileName(file));
                if (BinaryFolders.Any(f => file.StartsWith(f, StringComparison.Ordinal) && !file[f.Length..].Contains('/')) && File.Exists(file) && !File.Exists(link))
                {
                    File.CreateSymbolicLink(link, file);
                }
            }
        }

        return folder;
    }

    /// <summary>The Debian packages local/lib.sh's pki_install_prerequisites installs when missing.</summary>
    public static IReadOnlyList<string> Prerequisites()
    {
        var lib = File.ReadAllText(Path.Combine(RepoPaths.Root, "local", "lib.sh"));
        var start = lib.IndexOf("pki_install_prerequisites() {", StringComparison.Ordinal);
        Assert.True(start >= 0, "local/lib.sh has no pki_install_prerequisites");
        var body = lib[start..lib.IndexOf("\n}", start, StringComparison.Ordinal)];
        return [.. Missing().Matches(body).Select(m => m.Groups["package"].Value)];
    }

    private static string Run(string file, params string[] args)
    {
        var start = new ProcessStartInfo(file, args) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{file} did not start (the README test needs Debian's dpkg)");
        var output = process.StandardOutput.ReadToEnd();
        process.StandardError.ReadToEnd();
        process.WaitForExit();
        return output;
    }

    [GeneratedRegex(@"missing\+=\((?<package>[a-z0-9.+-]+)\)")]
    private static partial Regex Missing();
}
