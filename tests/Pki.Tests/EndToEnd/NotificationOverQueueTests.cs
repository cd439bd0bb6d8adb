using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using MimeKit;
using Pki.Core.Notifications;
using Pki.Core.Storage;
using Pki.Tests.Infrastructure;
using Pki.Tests.Infrastructure.Mail;

namespace Pki.Tests.EndToEnd;

/// <summary>
/// Notices end to end over the dev host: a message on the notifications queue, SendNotice, a real SMTP server
/// (aiosmtpd) and a Teams webhook listener; the test reads the mail and the Adaptive Card they received.
/// </summary>
public sealed class NotificationOverQueueTests(NotificationHostFixture host) : IClassFixture<NotificationHostFixture>
{
    [Fact]
    public async Task A_notice_is_mailed_and_posted_to_teams_once_and_a_redelivered_message_sends_nothing_new()
    {
        var owner = TestEnvironment.UniqueId("alice-") + "@pki.test";
        var name = TestEnvironment.UniqueId("app-") + ".payments.internal";
        const string location = "10.1.2.3:443/app.payments.internal";
        var fingerprint = await host.AddCertificateAsync(name, owner, NotificationHostFixture.PaymentsTeam, TimeSpan.FromDays(6.5), location);
        var link = $"{DevHostFixture.PublicBaseUrl}/api/dashboard/#/inventory/{fingerprint}";
        var request = new NoticeRequest(fingerprint, 7, RecipientLevel.Owner);

        await host.SendAsync(request);

        var mail = await host.Smtp.WaitForAsync(m => m.To.Mailboxes.Any(a => a.Address == owner));
        Assert.Equal(NotificationHostFixture.From, mail.From.Mailboxes.Single().Address);
        Assert.Contains(name, mail.Subject);
        Assert.Contains("expires in 6 days", mail.Subject);
        foreach (var body in new[] { mail.TextBody, mail.HtmlBody })
        {
            Assert.Contains(name, body);
            Assert.Contains(location, body);
            Assert.Contains(owner, body);
            Assert.Contains(link, body);
        }

        Assert.Contains("Days left: 6", mail.TextBody);
        var post = await host.Teams.WaitForAsync(NotificationHostFixture.PaymentsWebhook, p => p.ToJsonString().Contains(fingerprint, StringComparison.Ordinal));
        var card = Card(post);
        Assert.Contains(TextBlocks(card), t => t.Contains(name, StringComparison.Ordinal) && t.Contains("expires in 6 days", StringComparison.Ordinal));
        Assert.Contains(TextBlocks(card), t => t.Contains(location, StringComparison.Ordinal));
        var facts = Facts(card);
        Assert.Equal("6", facts["Days left"]);
        Assert.Equal(owner, facts["Owner"]);
        Assert.Equal(location, facts["Deployed at"]);
        Assert.Equal(NotificationHostFixture.PaymentsTeam, facts["Team"]);
        var open = Assert.Single(card["actions"]!.AsArray())!;
        Assert.Equal("Action.OpenUrl", (string?)open["type"]);
        Assert.Equal(link, (string?)open["url"]);

        var sent = await host.WaitForStateAsync(fingerprint, 7, RecipientLevel.Owner, NoticeState.Sent);
        Assert.Equal([EmailNoticeChannel.ChannelName, TeamsNoticeChannel.ChannelName], sent.Channels.Order());

        // The same request again, as a second planning pass or a redelivery would put it: handled, and nothing sent.
        await host.SendAsync(request);
        await host.WaitForLogAsync(l => l.Message.Contains(fingerprint, StringComparison.Ordinal) && l.Message.Contains(nameof(ClaimOutcome.AlreadySent), StringComparison.Ordinal));
        Assert.Single(NoticesTo(owner));
        Assert.Single(host.Teams.Posts(NotificationHostFixture.PaymentsWebhook), p => p.ToJsonString().Contains(fingerprint, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Each_recipient_level_reaches_its_own_addresses_and_channel()
    {
        var owner = TestEnvironment.UniqueId("bob-") + "@pki.test";
        var fingerprint = await host.AddCertificateAsync(TestEnvironment.UniqueId("api-") + ".payments.internal", owner, NotificationHostFixture.PaymentsTeam, TimeSpan.FromDays(2.5), "10.1.2.4:443");

        await host.SendAsync(new NoticeRequest(fingerprint, 3, RecipientLevel.Team));
        await host.SendAsync(new NoticeRequest(fingerprint, 3, RecipientLevel.Admins));

        await host.WaitForStateAsync(fingerprint, 3, RecipientLevel.Team, NoticeState.Sent);
        await host.WaitForStateAsync(fingerprint, 3, RecipientLevel.Admins, NoticeState.Sent);
        bool About(MimeMessage m) => (m.TextBody ?? string.Empty).Contains(fingerprint, StringComparison.Ordinal);
        Assert.Equal(NotificationHostFixture.PaymentsAddress, Assert.Single(host.Smtp.Messages(), m => About(m) && m.To.Mailboxes.Any(a => a.Address == NotificationHostFixture.PaymentsAddress)).To.Mailboxes.Single().Address);
        Assert.Equal(NotificationHostFixture.AdminAddress, Assert.Single(host.Smtp.Messages(), m => About(m) && m.To.Mailboxes.Any(a => a.Address == NotificationHostFixture.AdminAddress)).To.Mailboxes.Single().Address);
        Assert.DoesNotContain(host.Smtp.Messages(), m => About(m) && m.To.Mailboxes.Any(a => a.Address == owner));

        // The team's notice goes to the team's channel, the admins' to the default one.
        Assert.Single(host.Teams.Posts(NotificationHostFixture.PaymentsWebhook), p => p.ToJsonString().Contains(fingerprint, StringComparison.Ordinal));
        Assert.Single(host.Teams.Posts(NotificationHostFixture.DefaultWebhook), p => p.ToJsonString().Contains(fingerprint, StringComparison.Ordinal));
    }

    [Fact]
    public async Task When_smtp_is_down_the_message_is_retried_nothing_is_marked_sent_and_the_mail_goes_out_once_it_is_back()
    {
        var owner = TestEnvironment.UniqueId("carol-") + "@pki.test";
        var fingerprint = await host.AddCertificateAsync(TestEnvironment.UniqueId("db-") + ".ops.internal", owner, "ops", TimeSpan.FromDays(13.5), "10.1.2.5:5432");
        await host.Smtp.StopAsync();
        try
        {
            await host.SendAsync(new NoticeRequest(fingerprint, 14, RecipientLevel.Owner));

            var failed = await host.WaitForLogAsync(l => l.Level == LogLevel.Warning && l.Message.Contains(fingerprint, StringComparison.Ordinal) && l.Message.Contains("failed on email", StringComparison.Ordinal));
            Assert.IsType<NoticeDeliveryException>(failed.Exception);
            var pending = await host.Notices.GetAsync(fingerprint, 14, RecipientLevel.Owner);
            Assert.NotNull(pending);
            Assert.Equal(NoticeState.Claimed, pending.State);
            Assert.DoesNotContain(EmailNoticeChannel.ChannelName, pending.Channels);
        }
        finally
        {
            await host.Smtp.StartAgainAsync();
        }

        await host.Smtp.WaitForAsync(m => m.To.Mailboxes.Any(a => a.Address == owner));
        var sent = await host.WaitForStateAsync(fingerprint, 14, RecipientLevel.Owner, NoticeState.Sent);
        Assert.Contains(EmailNoticeChannel.ChannelName, sent.Channels);
        Assert.Single(NoticesTo(owner));

        // Teams delivered on the first try and was not posted to again by the retries.
        Assert.Single(host.Teams.Posts(NotificationHostFixture.DefaultWebhook), p => p.ToJsonString().Contains(fingerprint, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_notice_a_webhook_refuses_five_times_goes_to_poison_with_a_log_line_and_its_claim_is_released()
    {
        var owner = TestEnvironment.UniqueId("dan-") + "@pki.test";
        var fingerprint = await host.AddCertificateAsync(TestEnvironment.UniqueId("mq-") + ".ops.internal", owner, "ops", TimeSpan.FromDays(0.5), "10.1.2.6:5671");
        host.Teams.Failing[NotificationHostFixture.DefaultWebhook] = 503;
        try
        {
            await host.SendAsync(new NoticeRequest(fingerprint, 1, RecipientLevel.Owner));

            var poisoned = await host.WaitForLogAsync(
                l => l.Level == LogLevel.Error && l.Message.Contains(fingerprint, StringComparison.Ordinal) && l.Message.Contains("notifications-poison", StringComparison.Ordinal),
                TimeSpan.FromSeconds(60));
            Assert.Contains("503", poisoned.Exception!.Message, StringComparison.Ordinal);
        }
        finally
        {
            host.Teams.Failing.TryRemove(NotificationHostFixture.DefaultWebhook, out _);
        }

        var poison = host.Queue(QueueNames.Notifications + "-poison");
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!(await poison.PeekMessagesAsync(32)).Value.Any(m => m.Body.ToString().Contains(fingerprint, StringComparison.Ordinal)))
        {
            Assert.True(DateTime.UtcNow < deadline, "The message did not reach the poison queue.");
            await Task.Delay(200);
        }

        // The mail went out on the first try and was not repeated; the claim is released for a later planning pass.
        var record = await host.Notices.GetAsync(fingerprint, 1, RecipientLevel.Owner);
        Assert.NotNull(record);
        Assert.Equal(NoticeState.Claimed, record.State);
        Assert.Equal([EmailNoticeChannel.ChannelName], record.Channels);
        Assert.True(record.ClaimedUntil <= host.Time.GetUtcNow(), $"claimed until {record.ClaimedUntil:O}, host time {host.Time.GetUtcNow():O}");
        Assert.Single(NoticesTo(owner));
    }

    [Fact]
    public async Task A_digest_collects_an_owners_two_notices_into_one_mail_once_a_day()
    {
        var owner = TestEnvironment.UniqueId("erin-") + "@pki.test";
        var first = TestEnvironment.UniqueId("web-") + ".shop.internal";
        var second = TestEnvironment.UniqueId("cdn-") + ".shop.internal";
        var a = await host.AddCertificateAsync(first, owner, "shop", TimeSpan.FromDays(13.5), "10.1.3.1:443");
        var b = await host.AddCertificateAsync(second, owner, "shop", TimeSpan.FromDays(6.5), "10.1.3.2:443");
        await host.SendAsync(new NoticeRequest(a, 14, RecipientLevel.Owner));
        await host.SendAsync(new NoticeRequest(b, 7, RecipientLevel.Owner));
        await host.WaitForStateAsync(a, 14, RecipientLevel.Owner, NoticeState.Sent);
        await host.WaitForStateAsync(b, 7, RecipientLevel.Owner, NoticeState.Sent);
        var runs = host.Logs.GetSnapshot().Count(l => l.Message.StartsWith("Daily digests sent", StringComparison.Ordinal));

        (await host.Client.PostAsync("/admin/functions/SendDigests", JsonContent.Create(new { input = "" }))).EnsureSuccessStatusCode();

        var digest = await host.Smtp.WaitForAsync(m => m.To.Mailboxes.Any(x => x.Address == owner) && (m.Subject ?? string.Empty).Contains("digest", StringComparison.Ordinal));
        Assert.Contains("2 certificates", digest.Subject);
        foreach (var (name, location) in new[] { (first, "10.1.3.1:443"), (second, "10.1.3.2:443") })
        {
            Assert.Contains(name, digest.TextBody);
            Assert.Contains(location, digest.TextBody);
            Assert.Contains(name, digest.HtmlBody);
        }

        // A second run the same day sends no second digest.
        (await host.Client.PostAsync("/admin/functions/SendDigests", JsonContent.Create(new { input = "" }))).EnsureSuccessStatusCode();
        await host.WaitForLogAsync(_ => host.Logs.GetSnapshot().Count(l => l.Message.StartsWith("Daily digests sent", StringComparison.Ordinal)) >= runs + 2);
        Assert.Single(host.Smtp.Messages(), m => m.To.Mailboxes.Any(x => x.Address == owner) && (m.Subject ?? string.Empty).Contains("digest", StringComparison.Ordinal));
    }

    /// <summary>The notice mails (not digests) an address received.</summary>
    private IEnumerable<MimeMessage> NoticesTo(string address) =>
        host.Smtp.Messages().Where(m => m.To.Mailboxes.Any(a => a.Address == address) && !(m.Subject ?? string.Empty).Contains("digest", StringComparison.Ordinal));

    private static JsonNode Card(JsonNode post)
    {
        Assert.Equal("message", (string?)post["type"]);
        var attachment = Assert.Single(post["attachments"]!.AsArray())!;
        Assert.Equal("application/vnd.microsoft.card.adaptive", (string?)attachment["contentType"]);
        var card = attachment["content"]!;
        Assert.Equal("AdaptiveCard", (string?)card["type"]);
        Assert.True(Version.Parse((string)card["version"]!) >= new Version(1, 4));
        return card;
    }

    private static string[] TextBlocks(JsonNode card) =>
        card["body"]!.AsArray().Where(e => (string?)e!["type"] == "TextBlock").Select(e => (string)e!["text"]!).ToArray();

    private static Dictionary<string, string> Facts(JsonNode card) =>
        card["body"]!.AsArray().Single(e => (string?)e!["type"] == "FactSet")!["facts"]!.AsArray()
            .ToDictionary(f => (string)f!["title"]!, f => (string)f!["value"]!);
}
