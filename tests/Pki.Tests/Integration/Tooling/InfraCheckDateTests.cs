using System.Diagnostics;
using System.Text.RegularExpressions;
using Pki.Tests.Infrastructure;

namespace Pki.Tests.Integration.Tooling;

/// <summary>
/// The infra check local/test runs first gives the same verdict whatever the date. The Bicep CLI is run under
/// faketime (an LD_PRELOAD clock shift), and a control shows the shift reaches the CLI: the API-version age rule,
/// which infra/bicepconfig.json keeps off, turns from pass to fail across the same two years.
/// </summary>
public sealed partial class InfraCheckDateTests : IDisposable
{
    private const string TwoYearsAhead = "+730d";
    private readonly string _work = Directory.CreateTempSubdirectory("pki-infra-").FullName;

    [Fact]
    public void Infra_check_passes_today_and_two_years_ahead_with_the_same_output()
    {
        var today = Run("bash", [Path.Combine(RepoPaths.Root, "local", "check-infra")]);
        var later = Run("faketime", ["-f", TwoYearsAhead, "bash", Path.Combine(RepoPaths.Root, "local", "check-infra")]);

        Assert.True(today.ExitCode == 0, "infra check failed today:\n" + today.Output);
        Assert.True(later.ExitCode == 0, "infra check failed two years ahead:\n" + later.Output);
        Assert.Equal(WithoutTimestamps(today.Output), WithoutTimestamps(later.Output));
        Assert.Contains("infra/ builds and lints clean", later.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void Api_version_age_rule_changes_its_verdict_two_years_ahead_so_it_is_kept_out_of_the_check()
    {
        // 2026-06-01 is not the newest Microsoft.Storage version the pinned CLI knows, so only its age decides. The
        // allowed age is a year past its age today, so the lint passes today (on any date) and fails two years ahead.
        var todayAge = (DateTime.UtcNow.Date - new DateTime(2026, 6, 1, 0, 0, 0, DateTimeKind.Utc)).Days;
        File.WriteAllText(Path.Combine(_work, "bicepconfig.json"), $$"""
            { "analyzers": { "core": { "rules": { "use-recent-api-versions": { "level": "error", "maxAgeInDays": {{todayAge + 365}} } } } } }
            """);
        File.WriteAllText(Path.Combine(_work, "aged.bicep"), """
            resource account 'Microsoft.Storage/storageAccounts@2026-06-01' existing = {
              name: 'pkiaged'
            }

            output accountId string = account.id
            """);
        var bicep = Run("bash", ["-c", "source local/lib.sh && pki_bicep"]).Output.Trim().Split('\n')[^1];
        var file = Path.Combine(_work, "aged.bicep");

        var today = Run(bicep, ["lint", file]);
        var later = Run("faketime", ["-f", TwoYearsAhead, bicep, "lint", file]);

        Assert.True(today.ExitCode == 0 && !today.Output.Contains("use-recent-api-versions", StringComparison.Ordinal), today.Output);
        Assert.NotEqual(0, later.ExitCode);
        var age = AgeInDays().Match(later.Output);
        Assert.True(age.Success, later.Output);
        // The CLI saw a clock two years ahead: its age for the version is 730 days more than today's.
        Assert.InRange(int.Parse(age.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), todayAge + 729, todayAge + 731);
    }

    public void Dispose() => Directory.Delete(_work, recursive: true);

    private static string WithoutTimestamps(string output) => Timestamp().Replace(output, string.Empty);

    private static (int ExitCode, string Output) Run(string file, string[] args)
    {
        var psi = new ProcessStartInfo(file, args)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = RepoPaths.Root,
        };
        using var process = Process.Start(psi)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, stdout + stderr.Result);
    }

    [GeneratedRegex(@"^\[\d\d:\d\d:\d\d\] ", RegexOptions.Multiline)]
    private static partial Regex Timestamp();

    [GeneratedRegex(@"'2026-06-01' is (\d+) days old")]
    private static partial Regex AgeInDays();
}
