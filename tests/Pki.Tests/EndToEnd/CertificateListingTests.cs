using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Pki.Core.Authority;
using Pki.Core.Renewal;
using Pki.Tests.Infrastructure;

namespace Pki.Tests.EndToEnd;

/// <summary>
/// Issue 16 item 3: the renewal link and auto-renewal on <c>GET /api/certificates/{serial}</c>, and
/// <c>GET /api/certificates</c> (filters, paging, each caller's teams only), over HTTP on the dev host.
/// </summary>
public sealed class CertificateListingTests(DevHostFixture host) : IClassFixture<DevHostFixture>, IDisposable
{
    private readonly Openssl _ssl = new();

    public void Dispose() => _ssl.Dispose();

    [Fact]
    public async Task A_renewal_is_linked_both_ways_in_the_api_and_auto_renewal_is_shown()
    {
        var predecessor = await IssueAsync("linked.internal", "platform", "link@corp.internal");
        var before = await host.Client.GetJsonAsync($"/api/certificates/{predecessor}");
        Assert.True(before.GetProperty("autoRenew").GetBoolean());
        Assert.False(before.TryGetProperty("successorSerialNumber", out _));
        Assert.False(before.TryGetProperty("predecessorSerialNumber", out _));

        Assert.Equal(RenewalOutcome.Renewed, await host.App.Services.GetRequiredService<RenewalService>().RenewAsync(new RenewalMessage(predecessor)));

        var renewed = await host.Client.GetJsonAsync($"/api/certificates/{predecessor}");
        var successor = renewed.GetProperty("successorSerialNumber").GetString()!;
        var view = await host.Client.GetJsonAsync($"/api/certificates/{successor}");
        Assert.Equal(predecessor, view.GetProperty("predecessorSerialNumber").GetString());
        Assert.True(view.GetProperty("autoRenew").GetBoolean());

        var manual = await IssueAsync("manual.internal", "platform", "link@corp.internal", autoRenew: false);
        Assert.False((await host.Client.GetJsonAsync($"/api/certificates/{manual}")).GetProperty("autoRenew").GetBoolean());

        // A renewal claims the link with the successor's reserved serial before it signs: until that serial is a
        // certificate (or if its signing failed) the link names nothing a reader could look up, so it is not shown.
        var claimed = await IssueAsync("claimed.internal", "platform", "link@corp.internal");
        await host.App.Services.GetRequiredService<ICertificateStore>().TryLinkSuccessorAsync(claimed, "7f" + new string('0', 30));
        Assert.False((await host.Client.GetJsonAsync($"/api/certificates/{claimed}")).TryGetProperty("successorSerialNumber", out _));

        // The listing shows the same links.
        var listed = await ListAsync(host.Client, "owner=link@corp.internal");
        Assert.Equal(successor, listed[predecessor].GetProperty("successorSerialNumber").GetString());
        Assert.Equal(predecessor, listed[successor].GetProperty("predecessorSerialNumber").GetString());
        Assert.False(listed[manual].GetProperty("autoRenew").GetBoolean());
        Assert.False(listed[claimed].TryGetProperty("successorSerialNumber", out _));
    }

    [Fact]
    public async Task The_listing_filters_pages_and_shows_a_caller_only_the_teams_it_may_read()
    {
        const string owner = "lister@corp.internal";
        var payA = await IssueAsync("a.payments.internal", "payments", owner);
        var payB = await IssueAsync("b.payments.internal", "payments", owner, validityDays: 5);
        var payC = await IssueAsync("c.payments.internal", "payments", owner);
        var web = await IssueAsync("shop.web.internal", "web", owner);
        using (var revoke = await host.Client.PostAsJsonAsync($"/api/certificates/{payC}/revoke", new { reason = "superseded" }))
        {
            Assert.Equal(HttpStatusCode.OK, revoke.StatusCode);
        }

        // An admin reads every team; the filters narrow it.
        Assert.Equal(new[] { payA, payB, payC, web }.Order(), (await ListAsync(host.Client, $"owner={owner}")).Keys.Order());
        Assert.Equal(new[] { payA, payB, payC }.Order(), (await ListAsync(host.Client, $"owner={owner}&team=Payments")).Keys.Order());
        var revoked = Assert.Single(await ListAsync(host.Client, $"owner={owner}&status=revoked"));
        Assert.Equal((payC, "revoked", "superseded"), (revoked.Key, revoked.Value.GetProperty("status").GetString(), revoked.Value.GetProperty("revocationReason").GetString()));
        Assert.DoesNotContain(payC, (await ListAsync(host.Client, $"owner={owner}&status=issued")).Keys);
        var soon = DateTimeOffset.UtcNow.AddDays(10).ToString("O", CultureInfo.InvariantCulture);
        Assert.Equal([payB], (await ListAsync(host.Client, $"owner={owner}&expiresBefore={Uri.EscapeDataString(soon)}")).Keys);
        Assert.DoesNotContain(payB, (await ListAsync(host.Client, $"owner={owner}&expiresAfter={Uri.EscapeDataString(soon)}")).Keys);
        var item = (await ListAsync(host.Client, $"owner={owner}&team=web"))[web];
        Assert.Equal(("web", "tls-server", "CN=shop.web.internal", "issued"),
            (item.GetProperty("team").GetString(), item.GetProperty("profile").GetString(), item.GetProperty("subject").GetString(), item.GetProperty("status").GetString()));
        Assert.False(item.TryGetProperty("certificatePem", out _));

        // A requester sees its own team's only, and is refused another team's.
        using var payments = TestCallers.PaymentsRequester.Client(host.BaseAddress);
        Assert.Equal(new[] { payA, payB, payC }.Order(), (await ListAsync(payments, $"owner={owner}")).Keys.Order());
        await (await payments.GetAsync("/api/certificates?team=web")).AssertProblemAsync(HttpStatusCode.Forbidden, "not-your-team");

        // Pages of one follow their tokens to the end, each bounded.
        var paged = new List<string>();
        string? token = null;
        do
        {
            var page = await host.Client.GetJsonAsync($"/api/certificates?owner={owner}&pageSize=1" + (token is null ? string.Empty : "&continuationToken=" + Uri.EscapeDataString(token)));
            var items = page.GetProperty("items").EnumerateArray().ToArray();
            Assert.True(items.Length <= 1);
            paged.AddRange(items.Select(i => i.GetProperty("serialNumber").GetString()!));
            token = page.TryGetProperty("continuationToken", out var next) ? next.GetString() : null;
        }
        while (token is not null);
        Assert.Equal(new[] { payA, payB, payC, web }.Order(), paged.Order());
    }

    [Theory]
    [InlineData("status=bogus", "invalid-filter")]
    [InlineData("team=two%20words", "invalid-filter")]
    [InlineData("owner=%20", "invalid-filter")]
    [InlineData("profile=nope", "invalid-filter")]
    [InlineData("expiresBefore=2026-13-45", "invalid-filter")]
    [InlineData("expiresBefore=2026-12-01T08:00:00", "invalid-filter")]
    [InlineData("expiresAfter=2026-12-02&expiresBefore=2026-12-01", "invalid-filter")]
    [InlineData("teem=payments", "invalid-filter")]
    [InlineData("team=a&team=b", "invalid-filter")]
    [InlineData("pageSize=0", "invalid-page-size")]
    [InlineData("pageSize=201", "invalid-page-size")]
    [InlineData("pageSize=ten", "invalid-page-size")]
    [InlineData("continuationToken=forged", "invalid-continuation-token")]
    public async Task A_bad_filter_is_a_400_problem(string query, string type)
    {
        await (await host.Client.GetAsync("/api/certificates?" + query)).AssertProblemAsync(HttpStatusCode.BadRequest, type);
    }

    private async Task<string> IssueAsync(string name, string team, string owner, int? validityDays = null, bool? autoRenew = null)
    {
        var key = _ssl.NewKey(name + ".key", "ec:P-256");
        using var response = await host.Client.PostAsJsonAsync("/api/certificates", new
        {
            csr = _ssl.NewCsr(key, "/CN=" + name, "DNS:" + name), profile = "tls-server", owner, team, validityDays, autoRenew,
        });
        var body = await response.JsonAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, body.ToString());
        return body.GetProperty("serialNumber").GetString()!;
    }

    private static async Task<Dictionary<string, JsonElement>> ListAsync(HttpClient client, string query)
    {
        var page = await client.GetJsonAsync("/api/certificates?" + query);
        Assert.False(page.TryGetProperty("continuationToken", out _), "a listing of a few certificates fits one page");
        return page.GetProperty("items").EnumerateArray().ToDictionary(i => i.GetProperty("serialNumber").GetString()!, i => i.Clone());
    }
}
