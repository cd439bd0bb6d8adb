using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Pki.Core.Access.Sessions;
using Pki.Tests.Infrastructure;
using Pki.Tests.Infrastructure.Browser;

namespace Pki.Tests.EndToEnd;

/// <summary>
/// The dashboard in a real browser (Debian's chromium through Playwright): signing in, the overview's tiles against the
/// API's own lists, filters and search, a certificate's page and revoking from it (judged by openssl ocsp), what a
/// requester of another team sees, and the page after the session expired. Each screen is checked with axe-core and
/// saved as a screenshot under TestResults/dashboard.
/// </summary>
public sealed partial class DashboardBrowserTests(DashboardHostFixture host) : IClassFixture<DashboardHostFixture>, IDisposable
{
    private readonly Openssl _ssl = new();

    public void Dispose() => _ssl.Dispose();

    [Fact]
    public async Task Signing_in_keeps_only_an_httponly_cookie_in_the_browser_and_the_page_obeys_its_own_policy()
    {
        var page = await host.NewPageAsync();
        var violations = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                violations.Add(message.Text);
            }
        };

        await page.GotoAsync("/api/dashboard/");
        await Heading(page, "Sign in").WaitForAsync();
        await Accessibility.AssertNoSeriousViolationsAsync(page, "sign-in");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Screenshots.PathFor("01-sign-in"), FullPage = true });

        // A wrong key is refused on the page, and nothing is stored.
        await page.GetByLabel("API key").FillAsync("pki_wrong");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("not one this service knows");
        Assert.Empty(await page.Context.CookiesAsync());

        await SignInAsync(page, TestCallers.Admin);
        var cookie = Assert.Single(await page.Context.CookiesAsync());
        Assert.Equal(SessionCookie.Name, cookie.Name);
        Assert.True(cookie.HttpOnly);
        Assert.Equal(SameSiteAttribute.Strict, cookie.SameSite);
        Assert.Equal("/api", cookie.Path);

        // The key is nowhere the page's script (or another's) could read it back: no storage, no readable cookie, not in the field.
        Assert.Equal(0, await page.EvaluateAsync<int>("() => localStorage.length + sessionStorage.length"));
        Assert.Equal(string.Empty, await page.EvaluateAsync<string>("() => document.cookie"));
        Assert.DoesNotContain(TestCallers.Admin.Key, await page.ContentAsync(), StringComparison.Ordinal);

        await page.GetByRole(AriaRole.Link, new() { Name = "Inventory", Exact = true }).ClickAsync();
        await Heading(page, "Inventory").WaitForAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await Heading(page, "Sign in").WaitForAsync();
        Assert.Empty(await page.Context.CookiesAsync());

        // Chromium reports every script, style or connection its Content-Security-Policy refused as a console error.
        Assert.DoesNotContain(violations, v => v.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase));
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task The_overview_tiles_count_what_the_api_lists_for_their_filters()
    {
        // A self-signed endpoint, swept: an item whose only findings have no tile of their own ("Other findings").
        using (var key = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256))
        {
            var request = new System.Security.Cryptography.X509Certificates.CertificateRequest("CN=self.tiles.internal", key, System.Security.Cryptography.HashAlgorithmName.SHA256);
            var san = new System.Security.Cryptography.X509Certificates.SubjectAlternativeNameBuilder();
            san.AddDnsName("self.tiles.internal");
            request.CertificateExtensions.Add(san.Build());
            using var selfSigned = request.CreateSelfSigned(host.Time.GetUtcNow().AddDays(-1), host.Time.GetUtcNow().AddDays(200));
            await using var endpoint = await LoopbackHttps.StartAsync(selfSigned, context => Task.CompletedTask);
            var port = new Uri(endpoint.Urls.First()).Port;
            var target = await host.Client.AddTargetAsync(new { kind = "endpoint", host = "127.0.0.1", port, description = "tiles test" });
            await host.Client.SweepAsync();
            (await host.Client.DeleteAsync($"/api/discovery/targets/{target.GetProperty("id").GetString()}")).EnsureSuccessStatusCode();
        }

        var page = await host.NewPageAsync();
        await SignInAsync(page, TestCallers.Admin);
        await Accessibility.AssertNoSeriousViolationsAsync(page, "overview");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Screenshots.PathFor("02-overview"), FullPage = true });

        var tiles = page.Locator("[data-tile]");
        var count = await tiles.CountAsync();
        Assert.True(count >= 6, $"{count} tiles");
        var shown = new Dictionary<string, int>();
        for (var i = 0; i < count; i++)
        {
            var tile = tiles.Nth(i);
            var id = (await tile.GetAttributeAsync("data-tile"))!;
            var filter = (await tile.GetAttributeAsync("href"))!.Split('?') is [_, var q] ? q : string.Empty;
            var listed = await CountListedAsync(host.Client, filter);
            var number = int.Parse((await tile.Locator("[data-count]").GetAttributeAsync("data-count"))!, System.Globalization.CultureInfo.InvariantCulture);
            Assert.True(listed == number, $"tile {id}: the page shows {number}, GET /api/inventory?{filter} lists {listed}");
            shown[id] = number;
        }

        // Not vacuous: the fixture's certificates land in the tiles they should.
        Assert.True(shown["expiring-7"] >= 1, "expiring-7");
        Assert.True(shown["expiring-30"] >= shown["expiring-7"] + 1, "expiring-30");
        Assert.True(shown["revoked"] >= 1, "revoked");
        Assert.True(shown["revoked-30"] >= 1, "revoked-30");
        Assert.True(shown["other"] >= 1, "other");
        Assert.True(shown["all"] >= 5, "all");

        // The histogram shows the summary's weeks by team, and those are what the inventory lists, bucketed by week.
        var summary = await (await host.Client.GetAsync("/api/inventory/summary")).JsonAsync();
        var generatedAt = summary.GetProperty("generatedAt").GetDateTimeOffset();
        var expected = new SortedDictionary<string, int[]>(StringComparer.Ordinal);
        foreach (var item in await ListAllAsync(host.Client))
        {
            var week = (int)Math.Floor((item.GetProperty("notAfter").GetDateTimeOffset() - generatedAt).TotalDays / 7);
            if (week is >= 0 and < 13)
            {
                var team = item.TryGetProperty("team", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString()! : "(none)";
                (expected.TryGetValue(team, out var row) ? row : expected[team] = new int[13])[week]++;
            }
        }

        var histogram = summary.GetProperty("histogram").EnumerateArray().ToDictionary(r => r.GetProperty("team").GetString()!, r => r.GetProperty("weeks").EnumerateArray().Select(w => w.GetInt32()).ToArray());
        Assert.Equal(expected.Keys, histogram.Keys.Order(StringComparer.Ordinal));
        foreach (var (team, weeks) in expected)
        {
            Assert.Equal(weeks, histogram[team]);
            var cells = await page.Locator($"[data-histogram] tr[data-team='{team}'] td[data-week]").AllInnerTextsAsync();
            Assert.Equal(weeks.Select(w => w.ToString(System.Globalization.CultureInfo.InvariantCulture)), cells.Select(c => c.Trim()));
        }

        Assert.Contains("platform", expected.Keys);

        // A tile opens the inventory with its filter: the same rows.
        await page.Locator("[data-tile='expiring-7']").ClickAsync();
        await Heading(page, "Inventory").WaitForAsync();
        await Assertions.Expect(page.Locator("tbody tr")).ToHaveCountAsync(shown["expiring-7"]);
        await Assertions.Expect(page.Locator("tbody")).ToContainTextAsync("soon.internal");
        await Assertions.Expect(page.Locator("tbody")).Not.ToContainTextAsync("later.internal");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task The_inventory_filters_and_finds_by_name_and_by_serial()
    {
        var page = await host.NewPageAsync();
        await SignInAsync(page, TestCallers.Admin);
        await page.GotoAsync("/api/dashboard/#/inventory");
        await Heading(page, "Inventory").WaitForAsync();
        await Assertions.Expect(page.Locator("tbody")).ToContainTextAsync("later.internal");
        await Accessibility.AssertNoSeriousViolationsAsync(page, "inventory");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Screenshots.PathFor("03-inventory"), FullPage = true });

        // Rows name certificates by their names, never by a bare serial; the CSV export is the compliance report.
        var first = page.Locator("tbody tr").First;
        Assert.DoesNotMatch("^[0-9A-F]{16,}$", (await first.Locator("td").First.InnerTextAsync()).Trim());
        Assert.Equal("/api/reports/compliance?format=csv", await page.GetByRole(AriaRole.Link, new() { Name = "Export CSV" }).GetAttributeAsync("href"));

        await page.GetByLabel("Finding").SelectOptionAsync("revoked");
        await page.GetByRole(AriaRole.Button, new() { Name = "Apply" }).ClickAsync();
        await page.WaitForURLAsync(new Regex("finding=revoked"));
        var revoked = await CountListedAsync(host.Client, "finding=revoked");
        await Assertions.Expect(page.Locator("tbody tr")).ToHaveCountAsync(revoked);
        await Assertions.Expect(page.Locator("tbody")).ToContainTextAsync("gone.internal");
        await Assertions.Expect(page.Locator("tbody")).Not.ToContainTextAsync("soon.internal");

        await page.GetByLabel("Find by name or serial").FillAsync("month.internal");
        await page.GetByRole(AriaRole.Button, new() { Name = "Find" }).ClickAsync();
        await page.WaitForURLAsync(new Regex("name=month.internal"));
        await Assertions.Expect(page.Locator("tbody tr")).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator("tbody")).ToContainTextAsync("month.internal");

        await page.GetByLabel("Find by name or serial").FillAsync(host.Platform["later.internal"]);
        await page.GetByRole(AriaRole.Button, new() { Name = "Find" }).ClickAsync();
        await Heading(page, "later.internal").WaitForAsync();
        await Assertions.Expect(page.Locator("dl.facts")).ToContainTextAsync(host.Platform["later.internal"]);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Revoking_from_a_certificates_page_makes_ocsp_answer_revoked()
    {
        var serial = host.Platform["month.internal"];
        var page = await host.NewPageAsync();
        await SignInAsync(page, TestCallers.Admin);
        await page.GotoAsync($"/api/dashboard/#/certificates/{serial}");
        await Heading(page, "month.internal").WaitForAsync();
        await Assertions.Expect(page.Locator("[data-status]")).ToHaveTextAsync("issued");
        await Assertions.Expect(page.Locator("pre.pem")).ToContainTextAsync("BEGIN CERTIFICATE");
        await Accessibility.AssertNoSeriousViolationsAsync(page, "certificate");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Screenshots.PathFor("04-certificate"), FullPage = true });

        var (leaf, issuing, root) = await ChainAsync(serial);
        Assert.Contains(leaf + ": good", OcspQuery(root, issuing, leaf).Stdout);

        await page.GetByLabel("Reason").SelectOptionAsync("keyCompromise");
        await page.GetByRole(AriaRole.Button, new() { Name = "Revoke…" }).ClickAsync();
        var dialog = page.GetByRole(AriaRole.Dialog);
        await Assertions.Expect(dialog).ToContainTextAsync($"Serial {serial}, reason keyCompromise.");
        await Accessibility.AssertNoSeriousViolationsAsync(page, "revoke confirmation");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Screenshots.PathFor("05-revoke-confirmation") });

        // Until confirmed nothing happens.
        Assert.Contains(leaf + ": good", OcspQuery(root, issuing, leaf).Stdout);
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Revoke", Exact = true }).ClickAsync();
        await Assertions.Expect(page.Locator("[data-status]")).ToHaveTextAsync("revoked");
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Revoke…" })).ToHaveCountAsync(0);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Screenshots.PathFor("06-certificate-revoked"), FullPage = true });

        var answer = OcspQuery(root, issuing, leaf).Stdout;
        Assert.Contains(leaf + ": revoked", answer);
        Assert.Contains("Reason: keyCompromise", answer);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task A_requester_sees_only_its_teams_certificates_and_is_not_offered_what_it_cannot_do()
    {
        var page = await host.NewPageAsync();
        await SignInAsync(page, TestCallers.PaymentsRequester);
        using var requester = TestCallers.PaymentsRequester.Client(host.BaseAddress);
        var all = await CountListedAsync(requester, string.Empty);
        Assert.Equal(all.ToString(System.Globalization.CultureInfo.InvariantCulture), await page.Locator("[data-tile='all'] [data-count]").GetAttributeAsync("data-count"));
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Screenshots.PathFor("07-requester-overview"), FullPage = true });

        await page.GetByRole(AriaRole.Link, new() { Name = "Inventory", Exact = true }).ClickAsync();
        await Assertions.Expect(page.Locator("tbody")).ToContainTextAsync("api.payments.internal");
        await Assertions.Expect(page.Locator("tbody")).Not.ToContainTextAsync("soon.internal");
        foreach (var team in await page.Locator("tbody tr td:nth-child(2)").AllInnerTextsAsync())
        {
            Assert.Equal("payments", team.Trim());
        }

        Assert.Equal(0, await page.GetByRole(AriaRole.Link, new() { Name = "Export CSV" }).CountAsync());
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Screenshots.PathFor("08-requester-inventory"), FullPage = true });

        // Another team's certificate is not found for it, exactly as the API answers it.
        await page.GotoAsync($"/api/dashboard/#/certificates/{host.Platform["later.internal"]}");
        await Heading(page, "Certificate not found").WaitForAsync();
        await Assertions.Expect(page.Locator("main")).Not.ToContainTextAsync("later.internal");
        await Accessibility.AssertNoSeriousViolationsAsync(page, "not found");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Screenshots.PathFor("09-requester-other-team") });

        // Its own is shown with revoke offered (requesters revoke their team's).
        await page.GotoAsync($"/api/dashboard/#/certificates/{host.PaymentsSerial}");
        await Heading(page, "api.payments.internal").WaitForAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Revoke…" })).ToHaveCountAsync(1);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task After_the_session_expires_the_dashboard_shows_the_401_page()
    {
        var page = await host.NewPageAsync();
        await SignInAsync(page, TestCallers.Auditor);
        host.Time.Advance(TimeSpan.FromMinutes(DashboardHostFixture.SessionMinutes + 1));

        await page.GetByRole(AriaRole.Link, new() { Name = "Inventory", Exact = true }).ClickAsync();
        await Heading(page, "Session expired").WaitForAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = "Sign in again" })).ToBeVisibleAsync();
        await Accessibility.AssertNoSeriousViolationsAsync(page, "session expired");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Screenshots.PathFor("10-session-expired") });

        // A reload with the dead cookie lands there too, and signing in again works.
        await page.ReloadAsync();
        await Heading(page, "Session expired").WaitForAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "Sign in again" }).ClickAsync();
        await SignInFromFormAsync(page, TestCallers.Auditor);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task A_link_from_a_notice_opens_its_page_once_signed_in()
    {
        var cert = await (await host.Client.GetAsync($"/api/certificates/{host.Platform["later.internal"]}")).JsonAsync();
        using var x509 = System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPem(cert.GetProperty("certificatePem").GetString()!);
        var fingerprint = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(x509.RawData));
        var link = Pki.Core.DashboardLinks.InventoryItem(host.BaseAddress.ToString(), fingerprint);

        var page = await host.NewPageAsync();
        await page.GotoAsync(link.ToString());
        await Heading(page, "Sign in").WaitForAsync();
        await page.GetByLabel("API key").FillAsync(TestCallers.Admin.Key);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Heading(page, "later.internal").WaitForAsync();
        await Assertions.Expect(page.Locator("dl.facts")).ToContainTextAsync(fingerprint);
        await Accessibility.AssertNoSeriousViolationsAsync(page, "inventory item");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Screenshots.PathFor("11-inventory-item"), FullPage = true });
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task An_approver_approves_and_rejects_pending_requests_that_a_requester_can_only_see()
    {
        const string approve = "Payments Release Signing", reject = "Payments Nightly Signing";
        var requesterPage = await host.NewPageAsync();
        await SignInAsync(requesterPage, TestCallers.PaymentsRequester);
        await requesterPage.GetByRole(AriaRole.Link, new() { Name = "Approvals", Exact = true }).ClickAsync();
        await Heading(requesterPage, "Approvals").WaitForAsync();
        await Assertions.Expect(requesterPage.Locator("tbody")).ToContainTextAsync(approve);
        Assert.Equal(0, await requesterPage.GetByRole(AriaRole.Button, new() { Name = "Approve " + approve }).CountAsync());
        await requesterPage.Context.CloseAsync();

        var page = await host.NewPageAsync();
        await SignInAsync(page, TestCallers.Approver);
        await page.GetByRole(AriaRole.Link, new() { Name = "Approvals", Exact = true }).ClickAsync();
        await Heading(page, "Approvals").WaitForAsync();
        await Assertions.Expect(page.Locator("tbody")).ToContainTextAsync(reject);
        await Accessibility.AssertNoSeriousViolationsAsync(page, "approvals");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Screenshots.PathFor("12-approvals"), FullPage = true });

        await page.GetByRole(AriaRole.Button, new() { Name = "Approve " + approve }).ClickAsync();
        var dialog = page.GetByRole(AriaRole.Dialog);
        await Assertions.Expect(dialog).ToContainTextAsync("will be signed now");
        await Accessibility.AssertNoSeriousViolationsAsync(page, "approve confirmation");
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Approve", Exact = true }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Approved " + approve);

        var approved = await (await host.Client.GetAsync($"/api/requests/{host.Pending[approve]}")).JsonAsync();
        Assert.Equal("issued", approved.GetProperty("status").GetString());
        Assert.Equal(TestCallers.Approver.Identity, approved.GetProperty("decidedBy").GetString());
        var serial = approved.GetProperty("serialNumber").GetString()!;
        var certificate = await (await host.Client.GetAsync($"/api/certificates/{serial}")).JsonAsync();
        Assert.Equal("code-signing", certificate.GetProperty("profile").GetString());
        await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = $"certificate {serial}" })).ToBeVisibleAsync();

        // Rejecting asks for a reason first.
        await page.GetByRole(AriaRole.Button, new() { Name = "Reject " + reject }).ClickAsync();
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Reject", Exact = true }).ClickAsync();
        await Assertions.Expect(dialog).ToContainTextAsync("Give the requester a reason.");
        await dialog.GetByLabel("Reason (required)").FillAsync("Nightly builds are not signed for release.");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Screenshots.PathFor("13-reject-confirmation") });
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Reject", Exact = true }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Rejected " + reject);
        var rejected = await (await host.Client.GetAsync($"/api/requests/{host.Pending[reject]}")).JsonAsync();
        Assert.Equal("rejected", rejected.GetProperty("status").GetString());
        Assert.Equal("Nightly builds are not signed for release.", rejected.GetProperty("reason").GetString());
        await Assertions.Expect(page.Locator("main")).Not.ToContainTextAsync(reject + "?");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task The_audit_screen_lists_the_trail_and_verifies_the_chain()
    {
        var page = await host.NewPageAsync();
        await SignInAsync(page, TestCallers.Auditor);
        await page.GetByRole(AriaRole.Link, new() { Name = "Audit", Exact = true }).ClickAsync();
        await Heading(page, "Audit trail").WaitForAsync();
        var api = await (await host.Client.GetAsync("/api/audit?limit=100")).JsonAsync();
        var first = api.GetProperty("records")[0];
        await Assertions.Expect(page.Locator($"tr[data-sequence='{first.GetProperty("sequence").GetInt64()}']")).ToContainTextAsync(first.GetProperty("action").GetString()!);
        await Assertions.Expect(page.Locator("tbody")).ToContainTextAsync("issue");

        await page.GetByRole(AriaRole.Button, new() { Name = "Verify chain" }).ClickAsync();
        await Assertions.Expect(page.Locator("#verify-result [data-ok='true']")).ToContainTextAsync("Chain verified");
        var verified = await (await host.Client.GetAsync("/api/audit/verify")).JsonAsync();
        Assert.True(verified.GetProperty("ok").GetBoolean());
        Assert.Matches("Chain verified: \\d+ records", await page.Locator("#verify-result").InnerTextAsync());
        await Accessibility.AssertNoSeriousViolationsAsync(page, "audit");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Screenshots.PathFor("14-audit"), FullPage = true });
        await page.Context.CloseAsync();
    }

    private static ILocator Heading(IPage page, string name) => page.GetByRole(AriaRole.Heading, new() { Name = name, Level = 1, Exact = true });

    private static async Task SignInAsync(IPage page, TestCaller caller)
    {
        await page.GotoAsync("/api/dashboard/");
        await Heading(page, "Sign in").WaitForAsync();
        await SignInFromFormAsync(page, caller);
    }

    private static async Task SignInFromFormAsync(IPage page, TestCaller caller)
    {
        await page.GetByLabel("API key").FillAsync(caller.Key);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Heading(page, "Overview").WaitForAsync();
        await page.Locator("[data-tile], main p").First.WaitForAsync();
    }

    [Fact]
    public async Task The_health_strip_shows_each_ca_key_each_crls_next_update_the_ocsp_self_check_and_the_last_audit_verification_as_the_api_reports_them()
    {
        // Every CRL published and the chain verified now, so each part of the strip has something to show.
        foreach (var ca in new[] { host.RootId, host.IssuingId })
        {
            using var published = await host.Client.PostAsync($"/api/ca/{ca}/crl", null);
            Assert.True(published.IsSuccessStatusCode, $"{(int)published.StatusCode} {await published.Content.ReadAsStringAsync()}");
        }

        var verification = await (await host.Client.GetAsync("/api/audit/verify")).JsonAsync();
        Assert.True(verification.GetProperty("ok").GetBoolean(), verification.ToString());

        var page = await host.NewPageAsync();
        await SignInAsync(page, TestCallers.Admin);
        await page.Locator("[data-health='audit']").WaitForAsync();
        var report = await (await host.Client.GetAsync("/api/health/details")).JsonAsync();

        // CA keys: the root's and the issuing CA's, read through SoftHSM2, both reachable, on the page as in the API.
        var keys = report.GetProperty("caKeys").EnumerateArray().ToList();
        Assert.Equal([host.IssuingId, host.RootId], keys.Select(k => k.GetProperty("caId").GetString()!).Order(StringComparer.Ordinal));
        Assert.All(keys, k => Assert.True(k.GetProperty("reachable").GetBoolean(), k.ToString()));
        Assert.Equal("true", await page.Locator("[data-health='ca-keys']").GetAttributeAsync("data-ok"));
        Assert.Equal(keys.Count, await page.Locator("[data-health='ca-keys'] li[data-reachable='true']").CountAsync());

        // Each CRL's nextUpdate on the page is the API's, and the full CRLs' are what openssl reads in the CRLs served.
        var crls = report.GetProperty("crls").EnumerateArray().ToList();
        Assert.True(crls.Count >= 3, report.ToString());
        foreach (var crl in crls)
        {
            Assert.Equal("current", crl.GetProperty("status").GetString());
            var shown = page.Locator($"[data-health='crls'] li[data-crl='{crl.GetProperty("caId").GetString()}/{crl.GetProperty("crl").GetString()}']");
            Assert.Equal(crl.GetProperty("nextUpdate").GetString(), await shown.GetAttributeAsync("data-next-update"));
        }

        foreach (var ca in new[] { host.RootId, host.IssuingId })
        {
            var der = _ssl.Write($"{ca}.crl", await host.Client.GetByteArrayAsync($"/api/ca/{ca}/crl"));
            var text = Openssl.Run("crl", "-inform", "DER", "-in", der, "-noout", "-nextupdate").EnsureSuccess().Stdout.Trim();
            var nextUpdate = DateTimeOffset.ParseExact(text["nextUpdate=".Length..].Replace("  ", " ", StringComparison.Ordinal), "MMM d HH:mm:ss yyyy 'GMT'", System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal);
            var full = crls.Single(c => c.GetProperty("caId").GetString() == ca && c.GetProperty("crl").GetString() == "full");
            Assert.Equal(nextUpdate.ToUnixTimeSeconds(), full.GetProperty("nextUpdate").GetDateTimeOffset().ToUnixTimeSeconds());
        }

        // The OCSP self-check: the responder signed "unknown" for a serial never issued, and the page says it answers.
        var ocsp = Assert.Single(report.GetProperty("ocsp").EnumerateArray());
        Assert.True(ocsp.GetProperty("ok").GetBoolean(), ocsp.ToString());
        Assert.Equal("true", await page.Locator("[data-health='ocsp']").GetAttributeAsync("data-ok"));
        await Assertions.Expect(page.Locator("[data-health='ocsp']")).ToContainTextAsync("answering, signed");

        // The audit chain's last verification is the one just made.
        var audit = report.GetProperty("audit");
        Assert.True(audit.GetProperty("ok").GetBoolean());
        Assert.True(audit.GetProperty("count").GetInt64() >= verification.GetProperty("count").GetInt64());
        Assert.Equal(audit.GetProperty("verifiedAt").GetString(), await page.Locator("[data-health='audit'] [data-verified-at]").GetAttributeAsync("data-verified-at"));
        Assert.Equal("true", await page.Locator("[data-health='audit']").GetAttributeAsync("data-ok"));

        await Accessibility.AssertNoSeriousViolationsAsync(page, "overview-health");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Screenshots.PathFor("02b-overview-health"), FullPage = true });
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Renew_early_is_offered_to_an_admin_behind_a_confirmation_renews_a_certificate_from_the_json_api_and_is_not_offered_to_a_requester()
    {
        // A certificate of its own (auto-renewal on, as for tls-server), so the renewal changes no other test's certificates.
        var serial = (await host.Client.IssueAsync(Convert.ToBase64String(Csrs.Ec("early.internal", ["early.internal"])))).GetProperty("serialNumber").GetString()!;
        var page = await host.NewPageAsync();
        await SignInAsync(page, TestCallers.Admin);
        await page.GotoAsync($"/api/dashboard/#/certificates/{serial}");
        await page.Locator("#renew-early").WaitForAsync();

        // Behind a confirmation: cancelling changes nothing and calls nothing.
        var calls = new List<string>();
        page.Request += (_, r) =>
        {
            if (r.Url.Contains("/renew-early", StringComparison.Ordinal))
            {
                calls.Add(r.Method + " " + r.Url);
            }
        };
        await page.Locator("#renew-early").ClickAsync();
        var dialog = page.GetByRole(AriaRole.Dialog, new() { Name = "Renew this certificate early?" });
        await Assertions.Expect(dialog).ToBeVisibleAsync();
        await Assertions.Expect(dialog).ToContainTextAsync(serial);
        await Accessibility.AssertNoSeriousViolationsAsync(page, "renew-early-confirmation");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Screenshots.PathFor("05b-renew-early-confirmation"), FullPage = true });
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Cancel" }).ClickAsync();
        Assert.Empty(calls);

        // Confirmed, the page calls the service's renew-early route (this certificate came through the JSON API, not ACME):
        // the renewer takes it off the queue and issues its successor, which the page then links.
        await page.Locator("#renew-early").ClickAsync();
        await page.Locator("#renew-early-confirm").ClickAsync();
        await Assertions.Expect(page.Locator("p.msg")).ToContainTextAsync("Renewed early: successor", new() { Timeout = 30_000 });
        Assert.Equal($"POST {host.BaseAddress.ToString().TrimEnd('/')}/api/certificates/{serial}/renew-early", Assert.Single(calls));
        var view = await (await host.Client.GetAsync($"/api/certificates/{serial}")).JsonAsync();
        var successor = view.GetProperty("successorSerialNumber").GetString()!;
        await Assertions.Expect(page.Locator("dl.facts a[href='#/certificates/" + successor + "']")).ToHaveTextAsync(successor);
        Assert.Equal(0, await page.Locator("#renew-early").CountAsync()); // renewed: nothing left to renew
        var renewed = await (await host.Client.GetAsync($"/api/certificates/{successor}")).JsonAsync();
        Assert.Equal((serial, "issued"), (renewed.GetProperty("predecessorSerialNumber").GetString(), renewed.GetProperty("status").GetString()));
        await Accessibility.AssertNoSeriousViolationsAsync(page, "renewed-early");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Screenshots.PathFor("05c-renewed-early"), FullPage = true });

        // Pressed again (by the API): refused, and no second successor.
        using (var again = await host.Client.PostAsync($"/api/certificates/{serial}/renew-early", null))
        {
            await again.AssertProblemAsync(System.Net.HttpStatusCode.Conflict, "certificate-already-renewed");
        }

        Assert.Equal(successor, (await (await host.Client.GetAsync($"/api/certificates/{serial}")).JsonAsync()).GetProperty("successorSerialNumber").GetString());

        await page.Context.CloseAsync();

        // A requester of the owning team cannot renew early (the API wants an admin): the page does not offer it, and the API refuses it.
        var payments = await host.NewPageAsync();
        await SignInAsync(payments, TestCallers.PaymentsRequester);
        await payments.GotoAsync($"/api/dashboard/#/certificates/{host.PaymentsSerial}");
        await Heading(payments, "api.payments.internal").WaitForAsync();
        Assert.Equal(0, await payments.Locator("#renew-early").CountAsync());
        using (var requester = TestCallers.PaymentsRequester.Client(host.BaseAddress))
        using (var refused = await requester.PostAsync($"/api/certificates/{host.PaymentsSerial}/renew-early", null))
        {
            await refused.AssertProblemAsync(System.Net.HttpStatusCode.Forbidden, "missing-permission");
        }

        await payments.Context.CloseAsync();
    }

    [Fact]
    public async Task The_eab_screen_lists_creates_showing_the_hmac_key_once_and_revokes_for_an_admin_only()
    {
        var page = await host.NewPageAsync();
        await SignInAsync(page, TestCallers.Admin);
        await page.GetByRole(AriaRole.Link, new() { Name = "ACME credentials", Exact = true }).ClickAsync();
        await Heading(page, "ACME credentials").WaitForAsync();
        await Accessibility.AssertNoSeriousViolationsAsync(page, "acme-eab");

        // Created for team web: the key id and HMAC key are shown once, and the API holds the credential without its key.
        await page.GetByLabel("Team", new() { Exact = true }).First.FillAsync("web");
        await page.GetByLabel("Owner (optional)").FillAsync("wendy@corp.internal");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create credential" }).ClickAsync();
        var secret = page.Locator("[data-created]");
        await secret.WaitForAsync();
        var kid = (await secret.GetAttributeAsync("data-created"))!;
        var hmac = (await page.Locator("[data-hmac-key]").InnerTextAsync()).Trim();
        Assert.True(Convert.FromBase64String(hmac.Replace('-', '+').Replace('_', '/').PadRight((hmac.Length + 3) / 4 * 4, '=')).Length >= 32, hmac);
        await Accessibility.AssertNoSeriousViolationsAsync(page, "acme-eab-created");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Screenshots.PathFor("09-acme-eab-created"), FullPage = true });
        var listed = await (await host.Client.GetAsync("/api/acme/eab?team=web")).JsonAsync();
        var credential = Assert.Single(listed.EnumerateArray(), c => c.GetProperty("kid").GetString() == kid);
        Assert.Equal("unused", credential.GetProperty("status").GetString());
        Assert.Equal("wendy@corp.internal", credential.GetProperty("owner").GetString());
        Assert.False(credential.TryGetProperty("hmacKey", out var key) && key.ValueKind == JsonValueKind.String, credential.ToString());
        await Assertions.Expect(page.Locator($"tr[data-kid='{kid}']")).ToContainTextAsync("unused");

        // Shown once: opening the screen again lists it without any key.
        // (A change of the hash only: the screen before it, key and row included, stays until the new one replaces it, so
        // wait for that rather than read the old one.)
        await page.GotoAsync("/api/dashboard/#/acme-eab?team=web");
        await Assertions.Expect(page.Locator("[data-created]")).ToHaveCountAsync(0);
        await page.Locator($"tr[data-kid='{kid}']").WaitForAsync();
        Assert.Equal(0, await page.Locator("[data-hmac-key]").CountAsync());
        Assert.DoesNotContain(hmac, await page.ContentAsync(), StringComparison.Ordinal);

        // Revoked behind a confirmation; the API then says revoked.
        await page.Locator($"[data-revoke='{kid}']").ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Dialog, new() { Name = "Revoke this credential?" })).ToContainTextAsync(kid);
        await page.Locator($"[data-confirm-revoke='{kid}']").ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status).First).ToContainTextAsync($"Credential {kid} revoked.");
        await Assertions.Expect(page.Locator($"tr[data-kid='{kid}']")).ToHaveAttributeAsync("data-status", "revoked");
        var after = await (await host.Client.GetAsync("/api/acme/eab?team=web")).JsonAsync();
        Assert.Equal("revoked", after.EnumerateArray().Single(c => c.GetProperty("kid").GetString() == kid).GetProperty("status").GetString());
        await Accessibility.AssertNoSeriousViolationsAsync(page, "acme-eab-list");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Screenshots.PathFor("10-acme-eab-list"), FullPage = true });
        await page.Context.CloseAsync();

        // Not offered to a requester, whom the API refuses.
        var requester = await host.NewPageAsync();
        await SignInAsync(requester, TestCallers.PaymentsRequester);
        Assert.Equal(0, await requester.GetByRole(AriaRole.Link, new() { Name = "ACME credentials", Exact = true }).CountAsync());
        using (var client = TestCallers.PaymentsRequester.Client(host.BaseAddress))
        using (var refused = await client.GetAsync("/api/acme/eab?team=payments"))
        {
            Assert.Equal(System.Net.HttpStatusCode.Forbidden, refused.StatusCode);
        }

        await requester.Context.CloseAsync();
    }

    [Fact]
    public async Task The_discovery_screen_adds_a_target_runs_a_sweep_to_completion_and_removes_the_target()
    {
        // A loopback port nobody listens on: the sweep completes with that endpoint refused.
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();

        var page = await host.NewPageAsync();
        await SignInAsync(page, TestCallers.Admin);
        await page.GetByRole(AriaRole.Link, new() { Name = "Discovery", Exact = true }).ClickAsync();
        await Heading(page, "Discovery").WaitForAsync();
        await page.GetByLabel("Kind").SelectOptionAsync("endpoint");
        await page.GetByLabel("Host, range or vault URI").FillAsync("127.0.0.1");
        await page.GetByLabel("Ports").FillAsync(port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await page.GetByLabel("Description").FillAsync("dashboard test");
        await page.GetByRole(AriaRole.Button, new() { Name = "Add target" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Target added.");
        var targets = await (await host.Client.GetAsync("/api/discovery/targets")).JsonAsync();
        var target = Assert.Single(targets.EnumerateArray(), t => t.GetProperty("description").GetString() == "dashboard test");
        Assert.Equal(port, target.GetProperty("port").GetInt32());

        await page.GetByRole(AriaRole.Button, new() { Name = "Start a sweep now" }).ClickAsync();
        var card = page.Locator("[data-sweep][data-complete='true']");
        await card.WaitForAsync(new() { Timeout = 90_000 });
        var sweepId = (await card.GetAttributeAsync("data-sweep"))!;
        var sweep = await (await host.Client.GetAsync($"/api/discovery/sweeps/{sweepId}")).JsonAsync();
        Assert.True(sweep.GetProperty("complete").GetBoolean());
        await Assertions.Expect(card).ToContainTextAsync($"batches {sweep.GetProperty("batchesDone").GetInt32()} of {sweep.GetProperty("batches").GetInt32()}");
        await Accessibility.AssertNoSeriousViolationsAsync(page, "discovery");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Screenshots.PathFor("15-discovery"), FullPage = true });

        await page.GetByRole(AriaRole.Button, new() { Name = "Remove 127.0.0.1" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Target removed.");
        var after = await (await host.Client.GetAsync("/api/discovery/targets")).JsonAsync();
        Assert.DoesNotContain(after.EnumerateArray(), t => t.GetProperty("id").GetString() == target.GetProperty("id").GetString());
        await page.Context.CloseAsync();
    }

    /// <summary>Every item GET /api/inventory lists, following its continuation tokens.</summary>
    private static async Task<List<JsonElement>> ListAllAsync(HttpClient client)
    {
        var items = new List<JsonElement>();
        string? token = null;
        do
        {
            using var response = await client.GetAsync("/api/inventory?pageSize=200" + (token is null ? string.Empty : "&continuationToken=" + Uri.EscapeDataString(token)));
            var body = await response.JsonAsync();
            items.AddRange(body.GetProperty("items").EnumerateArray());
            token = body.TryGetProperty("continuationToken", out var next) && next.ValueKind == JsonValueKind.String ? next.GetString() : null;
        }
        while (token is not null);
        return items;
    }

    /// <summary>How many items GET /api/inventory lists for a query string, following its continuation tokens.</summary>
    private static async Task<int> CountListedAsync(HttpClient client, string filter)
    {
        var total = 0;
        string? token = null;
        do
        {
            var url = "/api/inventory?pageSize=200" + (filter.Length > 0 ? "&" + filter : string.Empty) + (token is null ? string.Empty : "&continuationToken=" + Uri.EscapeDataString(token));
            using var response = await client.GetAsync(url);
            var body = await response.JsonAsync();
            Assert.True(response.IsSuccessStatusCode, url + " " + body);
            total += body.GetProperty("items").GetArrayLength();
            token = body.TryGetProperty("continuationToken", out var next) && next.ValueKind == JsonValueKind.String ? next.GetString() : null;
        }
        while (token is not null);
        return total;
    }

    private async Task<(string Leaf, string Issuing, string Root)> ChainAsync(string serial)
    {
        var cert = await (await host.Client.GetAsync($"/api/certificates/{serial}")).JsonAsync();
        return (_ssl.Write(serial + ".pem", cert.GetProperty("certificatePem").GetString()!),
            _ssl.Write("issuing.pem", await host.Client.GetStringAsync($"/api/ca/{host.IssuingId}/certificate")),
            _ssl.Write("root.pem", await host.Client.GetStringAsync($"/api/ca/{host.RootId}/certificate")));
    }

    private OpensslResult OcspQuery(string root, string issuing, string leaf) =>
        Openssl.Run("ocsp", "-issuer", issuing, "-cert", leaf, "-url", new Uri(host.BaseAddress, "/api/ocsp").ToString(), "-CAfile", root, "-verify_other", issuing, "-no_nonce").EnsureSuccess();
}
