using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Pki.Core.Discovery.Scanning;
using Pki.Core.Events;
using Pki.Core.Inventory;
using Pki.Core.Notifications;
using Pki.Core.Renewal;
using Pki.Core.Storage;
using Pki.Tests.Infrastructure;
using Pki.Tests.Infrastructure.Mail;

namespace Pki.Tests.EndToEnd;

/// <summary>
/// Expiry notices on the dev host: the fake clock moves a certificate across each threshold, the PlanNotices timer runs
/// (twice each time), SendNotice mails a real SMTP server, and the test reads the mails it received and the events on
/// the lifecycle-events queue.
/// </summary>
public sealed class ExpiryNoticeTests(ExpiryNoticeHostFixture host) : IClassFixture<ExpiryNoticeHostFixture>, IDisposable
{
    private static readonly RecipientLevel[] Owner = [RecipientLevel.Owner];
    private static readonly RecipientLevel[] OwnerAndTeam = [RecipientLevel.Owner, RecipientLevel.Team];
    private static readonly RecipientLevel[] Everyone = [RecipientLevel.Owner, RecipientLevel.Team, RecipientLevel.Admins];
    private readonly Openssl _ssl = new();

    public void Dispose() => _ssl.Dispose();

    [Fact]
    public async Task A_discovered_certificate_gets_one_notice_per_threshold_escalating_to_team_and_admins()
    {
        var now = host.Time.GetUtcNow();
        var name = TestEnvironment.UniqueId("shop-") + "." + ExpiryNoticeHostFixture.Domain;
        var notAfter = now.AddDays(31).AddHours(5);
        var leaf = PartnerCertificate(name, now.AddDays(-20), notAfter);
        var fingerprint = Convert.ToHexStringLower(SHA256.HashData(leaf));
        var scan = new EndpointScanResult(new ScannedEndpoint("10.20.0.1", 443, name), "10.20.0.1", ScanOutcome.Tls, [leaf], "TLSv1.3", null, TimeSpan.Zero).ToSighting();
        var recorder = host.App.Services.GetRequiredService<InventoryRecorder>();
        await recorder.RecordEndpointAsync(scan, "sweep-1");
        host.Time.Advance(TimeSpan.FromHours(1));
        await recorder.RecordEndpointAsync(scan, "sweep-2"); // seen again: not discovered again

        (int Threshold, RecipientLevel[] Levels)[] steps = [(30, Owner), (14, OwnerAndTeam), (7, Everyone), (3, Everyone), (1, Everyone), (0, Everyone)];
        var expected = new Dictionary<RecipientLevel, int> { [RecipientLevel.Owner] = 0, [RecipientLevel.Team] = 0, [RecipientLevel.Admins] = 0 };
        foreach (var (threshold, levels) in steps)
        {
            host.Time.SetUtcNow(notAfter.AddDays(-threshold).AddMinutes(10));
            await host.RunNoticePassAsync();
            await host.RunNoticePassAsync(); // a second pass at the same moment sends nothing more

            foreach (var level in levels)
            {
                await host.WaitForSentAsync(fingerprint, threshold, level);
                expected[level]++;
            }

            foreach (var level in Enum.GetValues<RecipientLevel>().Except(levels))
            {
                Assert.Null(await host.Notices.GetAsync(fingerprint, threshold, level));
            }

            AssertMails(fingerprint, expected, $"after the {threshold}-day threshold");
        }

        // Nothing else is on its way: the notifications queue is drained and the counts stay.
        await WaitForEmptyAsync(QueueNames.Notifications);
        await Task.Delay(TimeSpan.FromSeconds(2));
        AssertMails(fingerprint, expected, "at the end");
        var ownerSubjects = ExpiryNoticeHostFixture.To(host.MailsAbout(fingerprint), ExpiryNoticeHostFixture.RuleOwner).Select(m => m.Subject).ToArray();
        Assert.Equal(steps.Length, ownerSubjects.Distinct().Count());

        // The alert's warning, once per threshold, however many passes.
        Assert.Equal(steps.Length, host.Logs.GetSnapshot().Count(l => l.Level == LogLevel.Warning
            && l.Message.StartsWith(ExpiryNoticePlanner.ExpiringWithoutRenewal, StringComparison.Ordinal) && l.Message.Contains(fingerprint, StringComparison.Ordinal)));

        var events = (await host.EventsAsync()).Where(e => e.Subject == fingerprint).ToArray();
        var discovered = Assert.Single(events, e => e.Type == LifecycleEventTypes.Discovered);
        Assert.Equal(scan.Location, discovered.Data.Location);
        Assert.Equal(ExpiryNoticeHostFixture.RuleOwner, discovered.Data.Owner);
        foreach (var threshold in new[] { 30, 14, 7, 3, 1 })
        {
            var expiring = Assert.Single(events, e => e.Type == LifecycleEventTypes.Expiring && e.Data.DaysLeft == threshold);
            Assert.Equal(notAfter.AddDays(-threshold), expiring.Time);
        }

        var expired = Assert.Single(events, e => e.Type == LifecycleEventTypes.Expired);
        Assert.Equal(notAfter, expired.Time);
        Assert.Equal(7, events.Length); // discovered, five expiring, expired
        Assert.Equal(events.Length, events.Select(e => e.Id).Distinct().Count());
    }

    [Fact]
    public async Task Days_the_pass_missed_are_caught_up_with_the_latest_crossing_noticed_and_every_crossing_an_event()
    {
        var now = host.Time.GetUtcNow();
        var name = TestEnvironment.UniqueId("late-") + "." + ExpiryNoticeHostFixture.Domain;
        var notAfter = now.AddDays(20).AddHours(3);
        var leaf = PartnerCertificate(name, now.AddDays(-60), notAfter);
        var fingerprint = Convert.ToHexStringLower(SHA256.HashData(leaf));
        await host.App.Services.GetRequiredService<InventoryRecorder>().RecordEndpointAsync(
            new EndpointScanResult(new ScannedEndpoint("10.20.0.2", 443, name), "10.20.0.2", ScanOutcome.Tls, [leaf], "TLSv1.3", null, TimeSpan.Zero).ToSighting(), "sweep-late");

        // Found with 20 days left (inside 30: its catch-up notice is due at once), then no pass runs until 14 is crossed too.
        host.Time.SetUtcNow(notAfter.AddDays(-14).AddMinutes(10));
        await host.RunNoticePassAsync();

        // Only the latest crossing is worth a notice, escalated as it would have been on time (30 passed without action).
        await host.WaitForSentAsync(fingerprint, 14, RecipientLevel.Owner);
        await host.WaitForSentAsync(fingerprint, 14, RecipientLevel.Team);
        await WaitForEmptyAsync(QueueNames.Notifications);
        Assert.Null(await host.Notices.GetAsync(fingerprint, 14, RecipientLevel.Admins));
        Assert.Null(await host.Notices.GetAsync(fingerprint, 30, RecipientLevel.Owner));
        Assert.Equal(2, host.MailsAbout(fingerprint).Count);

        var events = (await host.EventsAsync()).Where(e => e.Subject == fingerprint && e.Type == LifecycleEventTypes.Expiring).ToArray();
        Assert.Equal([14, 30], events.Select(e => e.Data.DaysLeft!.Value).Order());
    }

    [Fact]
    public async Task Escalation_stops_once_the_certificate_is_renewed()
    {
        var name = TestEnvironment.UniqueId("api-") + "." + ExpiryNoticeHostFixture.Domain;
        var owner = TestEnvironment.UniqueId("dev-") + "@pki.test";
        var (serial, fingerprint, notAfter) = await IssueAsync(name, owner, autoRenew: false);

        foreach (var (threshold, levels) in new[] { (30, Owner), (14, OwnerAndTeam) })
        {
            host.Time.SetUtcNow(notAfter.AddDays(-threshold).AddMinutes(10));
            await host.RunNoticePassAsync();
            foreach (var level in levels)
            {
                await host.WaitForSentAsync(fingerprint, threshold, level);
            }
        }

        Assert.Equal(2, ExpiryNoticeHostFixture.To(host.MailsAbout(fingerprint), owner).Count);
        Assert.Single(ExpiryNoticeHostFixture.To(host.MailsAbout(fingerprint), ExpiryNoticeHostFixture.TeamAddress));

        // The owner's pipeline renews it: that is action, so the 7-day threshold tells nobody (and escalates to nobody).
        var newKey = _ssl.NewKey("renewed.key", "ec:P-256");
        var renewal = await host.App.Services.GetRequiredService<RenewalRequestService>()
            .HandleAsync(new RenewalRequest(TestEnvironment.UniqueId("build-"), serial, _ssl.NewCsr(newKey, "/CN=" + name, "DNS:" + name)));
        var mailsBefore = host.MailsAbout(fingerprint).Count;
        host.Time.SetUtcNow(notAfter.AddDays(-7).AddMinutes(10));
        await host.RunNoticePassAsync();
        await WaitForEmptyAsync(QueueNames.Notifications);
        await Task.Delay(TimeSpan.FromSeconds(2));

        foreach (var level in Enum.GetValues<RecipientLevel>())
        {
            Assert.Null(await host.Notices.GetAsync(fingerprint, 7, level));
        }

        Assert.Equal(mailsBefore, host.MailsAbout(fingerprint).Count);
        Assert.Empty(ExpiryNoticeHostFixture.To(host.MailsAbout(fingerprint), ExpiryNoticeHostFixture.AdminAddress));
        Assert.Contains(host.Logs.GetSnapshot(), l => l.Message.Contains(fingerprint, StringComparison.Ordinal) && l.Message.Contains("renewed as " + renewal.Issued!.Certificate.SerialNumber, StringComparison.Ordinal));

        // The crossings are still events (about the serial, as every event of a certificate of ours); no "discovered" for an issuance.
        var events = await host.EventsAsync();
        var about = events.Where(e => e.Subject == serial).ToArray();
        Assert.Single(about, e => e.Type == LifecycleEventTypes.Issued);
        foreach (var threshold in new[] { 30, 14, 7 })
        {
            Assert.Single(about, e => e.Type == LifecycleEventTypes.Expiring && e.Data.DaysLeft == threshold);
        }

        Assert.DoesNotContain(events, e => e.Type == LifecycleEventTypes.Discovered && e.Data.Fingerprint == fingerprint);
    }

    [Fact]
    public async Task A_certificate_that_will_not_renew_itself_gets_its_owner_a_notice_through_the_queue()
    {
        var name = TestEnvironment.UniqueId("manual-") + "." + ExpiryNoticeHostFixture.Domain;
        var owner = TestEnvironment.UniqueId("carol-") + "@pki.test";
        var (serial, fingerprint, _) = await IssueAsync(name, owner, autoRenew: false);

        Assert.Equal(RenewalOutcome.OwnerNotified, await host.App.Services.GetRequiredService<RenewalService>().RenewAsync(new RenewalMessage(serial)));

        // 40 days left, beyond every threshold: the notice is the first one ahead (30 days), so the pass will not repeat it.
        await host.WaitForSentAsync(fingerprint, 30, RecipientLevel.Owner);
        var mail = Assert.Single(ExpiryNoticeHostFixture.To(host.MailsAbout(fingerprint), owner));
        Assert.Contains(name, mail.Subject);
        Assert.Contains(host.Logs.GetSnapshot(), l => l.Level == LogLevel.Warning && l.Message.Contains(serial, StringComparison.Ordinal)
            && l.Message.Contains("is due for renewal and was not renewed", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_certificate_that_renews_itself_gets_no_notice_until_its_renewal_was_due_and_did_not_happen()
    {
        var name = TestEnvironment.UniqueId("auto-") + "." + ExpiryNoticeHostFixture.Domain;
        var owner = TestEnvironment.UniqueId("erin-") + "@pki.test";
        var (serial, fingerprint, notAfter) = await IssueAsync(name, owner, autoRenew: true);

        // Due after two thirds of 40 days (13⅓ days left): the 30- and 14-day crossings come before that and tell nobody.
        foreach (var threshold in new[] { 30, 14 })
        {
            host.Time.SetUtcNow(notAfter.AddDays(-threshold).AddMinutes(10));
            await host.RunNoticePassAsync();
        }

        // The renewer never ran (its timer is off here), so at 7 days the owner hears, as the first notice: no escalation yet.
        host.Time.SetUtcNow(notAfter.AddDays(-7).AddMinutes(10));
        await host.RunNoticePassAsync();
        await host.WaitForSentAsync(fingerprint, 7, RecipientLevel.Owner);
        await WaitForEmptyAsync(QueueNames.Notifications);
        foreach (var (threshold, level) in new[] { (30, RecipientLevel.Owner), (14, RecipientLevel.Owner), (7, RecipientLevel.Team), (7, RecipientLevel.Admins) })
        {
            Assert.Null(await host.Notices.GetAsync(fingerprint, threshold, level));
        }

        Assert.Single(host.MailsAbout(fingerprint));
        var events = (await host.EventsAsync()).Where(e => e.Subject == serial).ToArray();
        Assert.Equal([7, 14, 30], events.Where(e => e.Type == LifecycleEventTypes.Expiring).Select(e => e.Data.DaysLeft!.Value).Order());
    }

    private void AssertMails(string fingerprint, Dictionary<RecipientLevel, int> expected, string when)
    {
        var mails = host.MailsAbout(fingerprint);
        Assert.True(expected[RecipientLevel.Owner] == ExpiryNoticeHostFixture.To(mails, ExpiryNoticeHostFixture.RuleOwner).Count, $"owner mails {when}");
        Assert.True(expected[RecipientLevel.Team] == ExpiryNoticeHostFixture.To(mails, ExpiryNoticeHostFixture.TeamAddress).Count, $"team mails {when}");
        Assert.True(expected[RecipientLevel.Admins] == ExpiryNoticeHostFixture.To(mails, ExpiryNoticeHostFixture.AdminAddress).Count, $"admin mails {when}");
        Assert.Equal(expected.Values.Sum(), mails.Count);
    }

    private async Task WaitForEmptyAsync(string queueName)
    {
        var queue = host.Queue(queueName);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while ((await queue.GetPropertiesAsync()).Value.ApproximateMessagesCount > 0)
        {
            Assert.True(DateTime.UtcNow < deadline, $"{queueName} did not drain: {host.ErrorLog()}");
            await Task.Delay(100);
        }
    }

    private async Task<(string Serial, string Fingerprint, DateTimeOffset NotAfter)> IssueAsync(string name, string owner, bool autoRenew)
    {
        var key = _ssl.NewKey(name + ".key", "ec:P-256");
        var body = new JsonObject
        {
            ["csr"] = _ssl.NewCsr(key, "/CN=" + name, "DNS:" + name),
            ["profile"] = "tls-server",
            ["owner"] = owner,
            ["validityDays"] = 40,
            ["autoRenew"] = autoRenew,
            ["team"] = ExpiryNoticeHostFixture.Team,
        };
        using var response = await host.Client.PostAsJsonAsync("/api/certificates", body);
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        var json = await response.JsonAsync();
        using var certificate = X509Certificate2.CreateFromPem(json.GetProperty("certificatePem").GetString()!);
        return (json.GetProperty("serialNumber").GetString()!, Convert.ToHexStringLower(SHA256.HashData(certificate.RawData)), json.GetProperty("notAfter").GetDateTimeOffset());
    }

    /// <summary>A leaf of a partner's CA (not ours), as a sweep finds it at an endpoint.</summary>
    private static byte[] PartnerCertificate(string dnsName, DateTimeOffset notBefore, DateTimeOffset notAfter)
    {
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest("CN=Partner Issuing CA", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        using var ca = caRequest.CreateSelfSigned(notBefore.AddDays(-1), notAfter.AddYears(1));
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=" + dnsName, key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName(dnsName);
        request.CertificateExtensions.Add(san.Build());
        using var leaf = request.Create(ca, notBefore, notAfter, RandomNumberGenerator.GetBytes(16));
        return leaf.RawData;
    }
}
