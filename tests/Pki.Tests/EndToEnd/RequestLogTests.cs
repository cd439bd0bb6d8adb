using System.Net;
using System.Net.Http.Json;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Pki.Tests.Infrastructure;

namespace Pki.Tests.EndToEnd;

/// <summary>
/// Issue 16: the dev host's console was noisy, several Information lines for every request. With the default levels (as
/// local/run starts it) each request of the API, answered or refused, writes one line at most; what lies beneath stays
/// there for whoever turns a category up.
/// </summary>
public sealed class RequestLogTests(DefaultLogLevelsHostFixture host) : IClassFixture<DefaultLogLevelsHostFixture>, IDisposable
{
    private readonly Openssl _ssl = new();

    public void Dispose() => _ssl.Dispose();

    [Fact]
    public async Task Every_request_writes_at_most_one_line_at_the_default_levels()
    {
        var name = TestEnvironment.UniqueId("logs-") + ".internal";
        var csr = _ssl.NewCsr(_ssl.NewKey("k", "ec:P-256"), "/CN=" + name, "DNS:" + name);

        // What happens once in a host's life (the OCSP responder's key and certificate) comes with the first issuance.
        await host.Client.IssueAsync(csr);

        using var payments = TestCallers.PaymentsRequester.Client(host.BaseAddress);
        using var approver = TestCallers.Approver.Client(host.BaseAddress);
        using var nobody = TestCallers.NoRole.Client(host.BaseAddress);
        using var anonymous = new HttpClient { BaseAddress = host.BaseAddress };
        var signingCsr = _ssl.NewCsr(_ssl.NewKey("s", "ec:P-256"), "/CN=Payments Release Signing", null);
        string serial = string.Empty, requestId = string.Empty, rejectId = string.Empty, targetId = string.Empty;
        var lines = new Dictionary<string, string[]>(StringComparer.Ordinal);

        async Task Step(string what, Func<Task<HttpResponseMessage>> send, Func<HttpResponseMessage, Task>? read = null)
        {
            var before = host.Logs.GetSnapshot().Count;
            using var response = await send();
            if (read is not null)
            {
                await read(response);
            }

            // Anything the request set going in the background has a moment to log too.
            await Task.Delay(TimeSpan.FromMilliseconds(300));
            lines[$"{what} ({(int)response.StatusCode})"] = [.. host.Logs.GetSnapshot().Skip(before).Where(r => r.Level >= LogLevel.Information).Select(Line)];
        }

        await Step("health", () => anonymous.GetAsync("/api/health"));
        await Step("CA list", () => anonymous.GetAsync("/api/ca"));
        await Step("issue", () => host.Client.RequestAsync(csr, idempotencyKey: "log-" + name), async r => serial = (await r.JsonAsync()).GetProperty("serialNumber").GetString()!);
        await Step("issue again, same key", () => host.Client.RequestAsync(csr, idempotencyKey: "log-" + name));
        await Step("read certificate", () => host.Client.GetAsync("/api/certificates/" + serial));
        await Step("anonymous read", () => anonymous.GetAsync("/api/certificates/" + serial));
        await Step("read without the role", () => nobody.GetAsync("/api/certificates/" + serial));
        await Step("name not allowed", () => host.Client.RequestAsync(_ssl.NewCsr(_ssl.NewKey("x", "ec:P-256"), "/CN=x.example.com", "DNS:x.example.com")));
        await Step("revoke", () => host.Client.PostAsync($"/api/certificates/{serial}/revoke", Json("{\"reason\":\"superseded\"}")));
        await Step("revoke again", () => host.Client.PostAsync($"/api/certificates/{serial}/revoke", Json("{}")));
        await Step("CRL", () => anonymous.GetAsync($"/api/ca/{host.IssuingId}/crl"));
        await Step("publish CRLs", () => host.Client.PostAsync($"/api/ca/{host.IssuingId}/crl", null));
        await Step("OCSP", () => anonymous.PostAsync("/api/ocsp", new ByteArrayContent([0x30, 0x00]) { Headers = { { "Content-Type", "application/ocsp-request" } } }));
        await Step("inventory", () => host.Client.GetAsync("/api/inventory"));
        await Step("audit", () => host.Client.GetAsync("/api/audit?limit=5"));
        await Step("audit verify", () => host.Client.GetAsync("/api/audit/verify"));
        await Step("ownership report", () => host.Client.GetAsync("/api/reports/ownership"));
        await Step("compliance report", () => host.Client.GetAsync("/api/reports/compliance?format=csv"));
        await Step("add target", () => host.Client.PostAsJsonAsync("/api/discovery/targets", new { kind = "keyvault", vaultUri = "https://logs-vault.vault.azure.net/" }),
            async r => targetId = (await r.JsonAsync()).GetProperty("id").GetString()!);
        await Step("delete target", () => host.Client.DeleteAsync("/api/discovery/targets/" + targetId));
        await Step("submit for approval", () => payments.RequestAsync(signingCsr, "code-signing", "release@payments.internal"), async r => requestId = (await r.JsonAsync()).GetProperty("requestId").GetString()!);
        await Step("approve", () => approver.PostAsync($"/api/requests/{requestId}/approve", null));
        await Step("submit another", () => payments.RequestAsync(signingCsr, "code-signing", "release@payments.internal"), async r => rejectId = (await r.JsonAsync()).GetProperty("requestId").GetString()!);
        await Step("reject", () => approver.PostAsync($"/api/requests/{rejectId}/reject", Json("{\"reason\":\"Use the team key.\"}")));
        await Step("unknown route", () => anonymous.GetAsync("/api/nothing-here"));

        var noisy = lines.Where(l => l.Value.Length > 1).Select(l => $"{l.Key}: {l.Value.Length} lines\n    {string.Join("\n    ", l.Value)}").ToArray();
        Assert.True(noisy.Length == 0, "requests that wrote more than one line:\n" + string.Join("\n", noisy));
        Assert.Equal(25, lines.Count);

        // The one line says what happened: the state change recorded, or the refusal and why.
        Assert.Single(lines.Single(l => l.Key.StartsWith("issue (", StringComparison.Ordinal)).Value, l => l.Contains(serial, StringComparison.Ordinal));
        Assert.Single(lines.Single(l => l.Key.StartsWith("name not allowed", StringComparison.Ordinal)).Value, l => l.Contains("name-not-allowed", StringComparison.Ordinal));
    }

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    private static string Line(FakeLogRecord r) => $"{r.Level} {r.Category}: {r.Message}";
}
