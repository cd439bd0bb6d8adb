using Microsoft.Playwright;

namespace Pki.Tests.Infrastructure.Browser;

/// <summary>
/// Debian's chromium (apt package <c>chromium</c>, installed by local/lib.sh), driven by Playwright's driver from its NuGet
/// package. Launched by its path: nothing is downloaded (<c>playwright install</c> cannot reach its CDN here, and need not).
/// </summary>
public static class Chromium
{
    /// <summary>PKI_CHROMIUM names another build; the default is Debian's.</summary>
    public static string ExecutablePath { get; } = Environment.GetEnvironmentVariable("PKI_CHROMIUM") is { Length: > 0 } path ? path : "/usr/bin/chromium";

    public static async Task<(IPlaywright Playwright, IBrowser Browser)> LaunchAsync()
    {
        if (!File.Exists(ExecutablePath))
        {
            throw new InvalidOperationException($"No chromium at {ExecutablePath}: local/test installs Debian's package 'chromium' (apt-get install chromium).");
        }

        var playwright = await Playwright.CreateAsync();
        try
        {
            var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
            {
                ExecutablePath = ExecutablePath,
                Headless = true,

                // Tests run as root on CI, where chromium's sandbox cannot start; the pages are our own.
                Args = ["--no-sandbox", "--disable-dev-shm-usage"],
            });
            return (playwright, browser);
        }
        catch
        {
            playwright.Dispose();
            throw;
        }
    }
}
