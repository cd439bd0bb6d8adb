using System.Net;
using System.Text.Json;
using Pki.Core.Events;
using Pki.Tests.Infrastructure;

namespace Pki.Tests.EndToEnd;

/// <summary>
/// Issue 16: the lifecycle events of the dev host read without hand-written SharedKey code. GET /admin/events peeks at
/// the local lifecycle-events queue, POST /admin/events/take takes them off it, admins only.
/// </summary>
public sealed class EventsEndpointTests(DevHostFixture host) : IClassFixture<DevHostFixture>, IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private readonly Openssl _ssl = new();

    public void Dispose() => _ssl.Dispose();

    [Fact]
    public async Task An_admin_peeks_at_the_events_of_an_issuance_and_revocation_then_takes_them_off_the_queue()
    {
        var serial = await IssueAndRevokeAsync();

        // Peeking leaves them where they are: a second look sees them again.
        var first = await WaitForAsync(serial, LifecycleEventTypes.Revoked);
        var again = await PeekAsync();
        Assert.Equal(Types(first, serial), Types(again, serial));
        Assert.Equal([LifecycleEventTypes.Issued, LifecycleEventTypes.Revoked], Types(first, serial));
        Assert.Equal("lifecycle-events", again.GetProperty("queue").GetString());
        Assert.True(again.GetProperty("approximateCount").GetInt32() >= 2);
        var issued = Events(again).First(e => e.GetProperty("subject").GetString() == serial);
        Assert.Equal("1.0", issued.GetProperty("specversion").GetString());
        Assert.Equal(serial, issued.GetProperty("data").GetProperty("serialNumber").GetString());

        // Taking them removes them: the next look no longer sees them.
        var taken = new List<JsonElement>();
        while (true)
        {
            using var response = await host.Client.PostAsync("/admin/events/take?max=1", null);
            var page = await response.JsonAsync();
            Assert.True(response.StatusCode == HttpStatusCode.OK, page.ToString());
            Assert.True(Events(page).Count <= 1);
            if (Events(page).Count == 0)
            {
                break;
            }

            taken.AddRange(Events(page));
        }

        Assert.Equal([LifecycleEventTypes.Issued, LifecycleEventTypes.Revoked], taken.Where(e => e.GetProperty("subject").GetString() == serial).Select(e => e.GetProperty("type").GetString()!));
        Assert.Empty(Events(await PeekAsync()));
    }

    [Fact]
    public async Task Only_admins_read_the_events_and_max_is_one_to_32()
    {
        using var anonymous = new HttpClient { BaseAddress = host.BaseAddress };
        await (await anonymous.GetAsync("/admin/events")).AssertProblemAsync(HttpStatusCode.Unauthorized, "authentication-required");
        using var auditor = TestCallers.Auditor.Client(host.BaseAddress);
        await (await auditor.PostAsync("/admin/events/take", null)).AssertProblemAsync(HttpStatusCode.Forbidden, "missing-role");
        foreach (var max in new[] { "0", "33", "x", "1&max=2" })
        {
            await (await host.Client.GetAsync("/admin/events?max=" + max)).AssertProblemAsync(HttpStatusCode.BadRequest, "invalid-max");
        }
    }

    private async Task<string> IssueAndRevokeAsync()
    {
        var name = TestEnvironment.UniqueId("events-") + ".internal";
        var issued = await host.Client.IssueAsync(_ssl.NewCsr(_ssl.NewKey("k", "ec:P-256"), "/CN=" + name, "DNS:" + name));
        var serial = issued.GetProperty("serialNumber").GetString()!;
        using var revoke = new StringContent("{\"reason\":\"superseded\"}", System.Text.Encoding.UTF8, "application/json");
        using var revoked = await host.Client.PostAsync($"/api/certificates/{serial}/revoke", revoke);
        Assert.Equal(HttpStatusCode.OK, revoked.StatusCode);
        return serial;
    }

    private async Task<JsonElement> WaitForAsync(string serial, string type)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (true)
        {
            var page = await PeekAsync();
            if (Types(page, serial).Contains(type))
            {
                return page;
            }

            Assert.True(DateTime.UtcNow < deadline, $"no {type} event for {serial}: {page} {host.ErrorLog()}");
            await Task.Delay(200);
        }
    }

    private async Task<JsonElement> PeekAsync()
    {
        using var response = await host.Client.GetAsync("/admin/events");
        var page = await response.JsonAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, page.ToString());
        return page;
    }

    private static List<JsonElement> Events(JsonElement page) => [.. page.GetProperty("events").EnumerateArray()];

    private static List<string> Types(JsonElement page, string serial) =>
        [.. Events(page).Where(e => e.GetProperty("subject").GetString() == serial).Select(e => e.GetProperty("type").GetString()!)];
}
