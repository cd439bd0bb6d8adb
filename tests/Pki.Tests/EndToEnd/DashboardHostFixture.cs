using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;
using Microsoft.Playwright;
using Pki.Tests.Infrastructure;
using Pki.Tests.Infrastructure.Browser;

namespace Pki.Tests.EndToEnd;

/// <summary>
/// A dev host serving the dashboard, on a clock that moves only when a test moves it (two hours behind the machine's,
/// so openssl, which reads the machine's clock, never sees an OCSP response from its future), with certificates of two
/// teams at several distances from expiry, and Debian's chromium to look at it all.
/// </summary>
public sealed class DashboardHostFixture : DevHostFixture
{
    public const int SessionMinutes = 30;

    public FakeTimeProvider Time { get; } = new(DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds()).AddHours(-2));

    public IBrowser Browser { get; private set; } = null!;

    /// <summary>The platform team's certificates, by common name: serial numbers.</summary>
    public Dictionary<string, string> Platform { get; } = new(StringComparer.Ordinal);

    /// <summary>The payments team's certificate (its requester's).</summary>
    public string PaymentsSerial { get; private set; } = null!;

    /// <summary>Code-signing requests of the payments team held for approval, by common name: request ids.</summary>
    public Dictionary<string, string> Pending { get; } = new(StringComparer.Ordinal);

    private IPlaywright _playwright = null!;

    public override async Task InitializeAsync()
    {
        await StartHostAsync(
            [
                $"--Pki:Access:SessionMinutes={SessionMinutes}",
                "--Pki:Acme:EabKeyWrappingKey=" + Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)),
                "--Pki:Discovery:AllowedNetworks:0=127.0.0.0/8",
                "--Pki:Discovery:ConnectTimeoutMs=2000",
                "--Pki:Discovery:HandshakeTimeoutMs=2000",
                "--AzureFunctionsJobHost:extensions:queues:visibilityTimeout=00:00:00.200",
                "--AzureFunctionsJobHost:extensions:queues:maxPollingInterval=00:00:00.500",
            ],
            services => services.Replace(ServiceDescriptor.Singleton<TimeProvider>(Time)));
        (_playwright, Browser) = await Chromium.LaunchAsync();

        // 5 and 20 days: inside the 7- and 30-day tiles; 45 days: outside both. One of them is revoked.
        foreach (var (name, days) in new[] { ("soon.internal", 5), ("month.internal", 20), ("later.internal", 45), ("gone.internal", 40) })
        {
            var issued = await Client.IssueAsync(Convert.ToBase64String(Csrs.Ec(name, [name])), validityDays: days);
            Platform[name] = issued.GetProperty("serialNumber").GetString()!;
        }

        using (var revoke = await Client.PostAsync($"/api/certificates/{Platform["gone.internal"]}/revoke",
            new StringContent("""{"reason":"superseded"}""", System.Text.Encoding.UTF8, "application/json")))
        {
            Assert.Equal(System.Net.HttpStatusCode.OK, revoke.StatusCode);
        }

        using var payments = TestCallers.PaymentsRequester.Client(BaseAddress);
        var paid = await payments.IssueAsync(Convert.ToBase64String(Csrs.Ec("api.payments.internal", ["api.payments.internal"])), validityDays: 30);
        PaymentsSerial = paid.GetProperty("serialNumber").GetString()!;

        // code-signing requires approval: these wait for an approver.
        foreach (var name in new[] { "Payments Release Signing", "Payments Nightly Signing" })
        {
            using var submitted = await payments.RequestAsync(Convert.ToBase64String(Csrs.Ec(name)), "code-signing", "release@payments.internal");
            Assert.Equal(System.Net.HttpStatusCode.Accepted, submitted.StatusCode);
            Pending[name] = (await submitted.JsonAsync()).GetProperty("requestId").GetString()!;
        }
    }

    /// <summary>A fresh browser context (its own cookies) with one page on the dashboard's base address.</summary>
    public async Task<IPage> NewPageAsync()
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = BaseAddress.ToString(), ViewportSize = new ViewportSize { Width = 1280, Height = 900 } });
        return await context.NewPageAsync();
    }

    public static JsonElement Parse(string json) => JsonDocument.Parse(json).RootElement.Clone();

    public override async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }

        _playwright?.Dispose();
        await base.DisposeAsync();
    }
}
