using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using Microsoft.Playwright;
using Pki.Core;
using Pki.Core.Inventory;
using Pki.Core.Storage;

/// <summary>
/// Time to the first useful paint of the dashboard's overview (its tiles drawn) and inventory (its first row drawn), in
/// Debian's chromium, with an inventory of --certificates items (default 10,000) written straight into the dev host's
/// storage; and, in the same run, the API calls those screens wait for (GET /api/inventory/summary, one inventory page)
/// made directly with the same session, the reference of the ratio: how much the page adds to its data.
/// </summary>
internal static class DashboardBench
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static async Task<int> RunAsync(Settings settings, string[] args)
    {
        var certificates = int.Parse(Arg(args, "certificates", "10000"), Inv);
        var rounds = int.Parse(Arg(args, "rounds", "5"), Inv);
        var chromium = Environment.GetEnvironmentVariable("PKI_CHROMIUM") is { Length: > 0 } c ? c : "/usr/bin/chromium";
        Console.WriteLine($"dashboard bench: {certificates} inventory items, {rounds} rounds, server {settings.Url}, chromium {chromium}");

        var seeded = Stopwatch.StartNew();
        await SeedAsync(settings.Storage, certificates);
        Console.Error.WriteLine($"  seeded {certificates} items in {seeded.Elapsed.TotalSeconds:F1} s");

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new() { ExecutablePath = chromium, Headless = true, Args = ["--no-sandbox", "--disable-dev-shm-usage"] });
        var context = await browser.NewContextAsync(new() { BaseURL = settings.Url });
        var page = await context.NewPageAsync();

        // Sign in once through the page; the API reference then uses the same session cookie.
        await page.GotoAsync("/api/dashboard/");
        await page.GetByLabel("API key").FillAsync(Settings.ApiKey);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await page.Locator("[data-tile]").First.WaitForAsync(new() { Timeout = 300_000 });
        var cookie = (await context.CookiesAsync()).Single(k => k.Name == "pki-session");
        using var http = new HttpClient { BaseAddress = new Uri(settings.Url), Timeout = TimeSpan.FromMinutes(5) };
        http.DefaultRequestHeaders.Add("Cookie", $"{cookie.Name}={cookie.Value}");
        var tiles = await http.GetFromJsonAsync<System.Text.Json.JsonElement>("/api/inventory/summary");
        Console.WriteLine($"  the overview counts {tiles.GetProperty("tiles")[0].GetProperty("count").GetInt32()} items");

        var overview = new List<double>();
        var inventory = new List<double>();
        var summaryApi = new List<double>();
        var healthApi = new List<double>();
        var pageApi = new List<double>();
        for (var round = 0; round < rounds; round++)
        {
            // A fresh load each time (no page state kept): navigation to the tiles, then to the inventory's first row.
            await page.GotoAsync("about:blank");
            var sw = Stopwatch.StartNew();
            await page.GotoAsync("/api/dashboard/#/");
            await page.Locator("[data-tile]").First.WaitForAsync(new() { Timeout = 300_000 });
            overview.Add(sw.Elapsed.TotalMilliseconds);

            await page.GotoAsync("about:blank");
            sw.Restart();
            await page.GotoAsync("/api/dashboard/#/inventory");
            await page.Locator("tbody tr").First.WaitForAsync(new() { Timeout = 300_000 });
            inventory.Add(sw.Elapsed.TotalMilliseconds);

            sw.Restart();
            using (var r = await http.GetAsync("/api/inventory/summary"))
            {
                r.EnsureSuccessStatusCode();
                await r.Content.ReadAsByteArrayAsync();
            }

            summaryApi.Add(sw.Elapsed.TotalMilliseconds);

            // The overview's other call, made beside the summary's: its tiles wait for the slower of the two.
            sw.Restart();
            using (var r = await http.GetAsync("/api/health/details"))
            {
                await r.Content.ReadAsByteArrayAsync();
            }

            healthApi.Add(sw.Elapsed.TotalMilliseconds);
            sw.Restart();
            using (var r = await http.GetAsync("/api/inventory?pageSize=50"))
            {
                r.EnsureSuccessStatusCode();
                await r.Content.ReadAsByteArrayAsync();
            }

            pageApi.Add(sw.Elapsed.TotalMilliseconds);
        }

        double Median(List<double> xs) => xs.Order().ElementAt(xs.Count / 2);
        Console.WriteLine(string.Format(Inv,
            "overview, first useful paint (tiles drawn): median {0:F0} ms over {1} loads; GET /api/inventory/summary alone {2:F0} ms; ratio page/API {3:F2}",
            Median(overview), rounds, Median(summaryApi), Median(overview) / Median(summaryApi)));
        Console.WriteLine(string.Format(Inv,
            "  the overview's other call, GET /api/health/details (the health strip), alone {0:F0} ms; the slower of the two {1:F0} ms",
            Median(healthApi), Math.Max(Median(healthApi), Median(summaryApi))));
        Console.WriteLine(string.Format(Inv,
            "inventory, first useful paint (first row drawn): median {0:F0} ms over {1} loads; GET /api/inventory?pageSize=50 alone {2:F0} ms; ratio page/API {3:F2}",
            Median(inventory), rounds, Median(pageApi), Median(inventory) / Median(pageApi)));
        return 0;
    }

    /// <summary>Items as discovery or issuance would record them: several teams, not-after spread over 120 days, a few findings.</summary>
    private static async Task SeedAsync(string connection, int count)
    {
        var storage = new TableStorage(Options.Create(new PkiOptions { Storage = { ConnectionString = connection } }));
        var store = new TableInventoryItemStore(storage);
        var now = DateTimeOffset.UtcNow;
        string[] teams = ["payments", "web", "platform", "data", "mobile", "identity", "search", "ops"];
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (i, ct) =>
        {
            var name = $"host{i}.{teams[i % teams.Length]}.bench.internal";
            var notAfter = now.AddHours(1 + (i * 7919 % (120 * 24)));
            var findings = i % 50 == 0 ? new[] { new Finding(FindingCodes.WeakKey, FindingSeverity.High, "RSA 1024", null) } : [];
            var item = new InventoryItem(
                Convert.ToHexStringLower(SHA256.HashData(BitConverter.GetBytes(i))), $"CN={name}", "CN=Bench Issuing CA", Convert.ToHexString(RandomNumberGenerator.GetBytes(16)),
                notAfter.AddDays(-90), notAfter, [name], [], "EC", 256, "SHA-256withECDSA", false,
                i % 3 == 0 ? InventorySources.Endpoint : InventorySources.Issued, $"owner{i % 40}@bench.internal", teams[i % teams.Length], OwnerSource.Rule,
                now, now, null, false, findings);
            await store.TryAddAsync(item, ct);
        });
    }

    private static string Arg(string[] args, string name, string fallback)
    {
        var i = Array.IndexOf(args, "--" + name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
    }
}
