using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using MimeKit;
using Pki.Core.Authority;
using Pki.Tests.Infrastructure;

namespace Pki.Tests.EndToEnd;

/// <summary>
/// Issue 16's newcomer: a 47-day certificate reaching its renewal and its 30/14/7-day notices on one machine, without
/// waiting weeks. The admin moves the dev host's clock forward over HTTP; the host's own timers run the passes the move
/// passed, the renewer issues the successor, and the notices reach a real SMTP server, escalating as they would in Azure.
/// </summary>
public sealed class DevClockTests(DevClockHostFixture host) : IClassFixture<DevClockHostFixture>, IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);
    private readonly Openssl _ssl = new();

    public void Dispose() => _ssl.Dispose();

    [Fact]
    public async Task Moving_the_clock_renews_one_certificate_and_escalates_the_notices_of_one_that_does_not_renew_itself()
    {
        var renewsOwner = TestEnvironment.UniqueId("rita-") + "@pki.test";
        var waitsOwner = TestEnvironment.UniqueId("walt-") + "@pki.test";
        var renews = await IssueAsync(TestEnvironment.UniqueId("renews-") + ".internal", renewsOwner, autoRenew: true);
        var waits = await IssueAsync(TestEnvironment.UniqueId("waits-") + ".internal", waitsOwner, autoRenew: false);

        // Day 17 of 47: both crossed 30 days left. Only the one that will not renew itself tells its owner.
        await AdvanceAsync("P17DT1H");
        await WaitForMailAsync(waits, waitsOwner, 1);

        // Day 32: past two thirds of the lifetime, the other one is renewed by the planner, fan-out and renewer.
        await AdvanceAsync("P15D");
        var successor = await WaitForSuccessorAsync(renews);

        // Day 33: 14 days left; no action on the waiting one, so its team hears too.
        await AdvanceAsync("P1D");
        await WaitForMailAsync(waits, DevClockHostFixture.TeamAddress, 1);

        // Day 40: 7 days left; the admins as well.
        await AdvanceAsync("P7D");
        await WaitForMailAsync(waits, DevClockHostFixture.AdminAddress, 1);

        // Exactly these notices: owner at 30, 14 and 7 days, team at 14 and 7, admins at 7; none about the renewed one.
        await Task.Delay(TimeSpan.FromSeconds(3));
        var notices = host.NoticesAbout(waits);
        Assert.Equal(3, To(notices, waitsOwner).Count);
        Assert.Equal(2, To(notices, DevClockHostFixture.TeamAddress).Count);
        Assert.Single(To(notices, DevClockHostFixture.AdminAddress));
        Assert.Equal(6, notices.Count);
        Assert.Equal(3, To(notices, waitsOwner).Select(m => m.Subject).Distinct().Count());
        Assert.Empty(host.NoticesAbout(renews));

        // The successor was issued at the moved time, for the predecessor's names and owner.
        using var response = await host.Client.GetAsync("/api/certificates/" + successor);
        var issued = await response.JsonAsync();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(renewsOwner, issued.GetProperty("owner").GetString());
        Assert.True(issued.GetProperty("notBefore").GetDateTimeOffset() > DateTimeOffset.UtcNow.AddDays(30), "the successor counts from the moved clock");
    }

    private async Task AdvanceAsync(string duration)
    {
        using var response = await host.Client.PostAsJsonAsync("/admin/clock", new { advance = duration });
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    private async Task WaitForMailAsync(string serial, string to, int count)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (To(host.NoticesAbout(serial), to).Count < count)
        {
            Assert.True(DateTime.UtcNow < deadline, $"no notice about {serial} reached {to}; mails: "
                + string.Join(" | ", host.Smtp.Messages().Select(m => $"{m.To} {m.Subject}")) + "\n" + host.ErrorLog());
            await Task.Delay(200);
        }
    }

    private async Task<string> WaitForSuccessorAsync(string serial)
    {
        var store = host.App.Services.GetRequiredService<ICertificateStore>();
        var deadline = DateTime.UtcNow + Patience;
        while (true)
        {
            if ((await store.GetAsync(serial))?.SuccessorSerial is { } successor && (await store.GetAsync(successor))?.Status == CertificateStatus.Issued)
            {
                return successor;
            }

            Assert.True(DateTime.UtcNow < deadline, $"{serial} was not renewed: {host.ErrorLog()}");
            await Task.Delay(200);
        }
    }

    private async Task<string> IssueAsync(string name, string owner, bool autoRenew)
    {
        var body = new JsonObject
        {
            ["csr"] = _ssl.NewCsr(_ssl.NewKey(name + ".key", "ec:P-256"), "/CN=" + name, "DNS:" + name),
            ["profile"] = "tls-server",
            ["owner"] = owner,
            ["autoRenew"] = autoRenew,
        };
        using var response = await host.Client.PostAsJsonAsync("/api/certificates", body);
        var json = await response.JsonAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"{(int)response.StatusCode} {json}");
        var lifetime = json.GetProperty("notAfter").GetDateTimeOffset() - json.GetProperty("notBefore").GetDateTimeOffset();
        Assert.Equal(TimeSpan.FromDays(47), lifetime);
        return json.GetProperty("serialNumber").GetString()!;
    }

    private static List<MimeMessage> To(IEnumerable<MimeMessage> mails, string address) =>
        [.. mails.Where(m => m.To.Mailboxes.Any(a => string.Equals(a.Address, address, StringComparison.OrdinalIgnoreCase)))];
}
