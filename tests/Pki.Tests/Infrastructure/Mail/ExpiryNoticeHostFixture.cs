using System.Net.Http.Json;
using Azure.Storage.Queues;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;
using MimeKit;
using Pki.Core.Events;
using Pki.Core.Notifications;
using Pki.Core.Storage;

namespace Pki.Tests.Infrastructure.Mail;

/// <summary>
/// A dev host on a fake clock whose notices go to a real SMTP server (<see cref="SmtpSink"/>) and whose lifecycle events
/// go to its Azurite lifecycle-events queue. Names under <see cref="Domain"/> belong to team <see cref="Team"/> (owner
/// <see cref="RuleOwner"/> when nobody set one), which has its own address; admins have theirs.
/// </summary>
public sealed class ExpiryNoticeHostFixture : DevHostFixture
{
    public const string From = "pki@pki.test";
    public const string AdminAddress = "admins@pki.test";
    public const string Team = "web";
    public const string TeamAddress = "web-team@pki.test";
    public const string RuleOwner = "web-owner@pki.test";
    public const string Domain = "notices.test";

    private readonly List<CloudEvent> _events = [];

    /// <summary>Whole seconds, as certificates hold their times; the real clock is read once, so a second boundary between two readings cannot leave a fraction.</summary>
    public FakeTimeProvider Time { get; } = new(DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds()));

    public SmtpSink Smtp { get; private set; } = null!;

    public override async Task InitializeAsync()
    {
        Smtp = await SmtpSink.StartAsync();
        string[] args =
        [
            .. Smtp.HostArgs(From, AdminAddress),
            $"--Pki:Notifications:TeamAddresses:{Team}={TeamAddress}",
            "--Pki:Inventory:OwnerRules:0:Pattern=*." + Domain,
            "--Pki:Inventory:OwnerRules:0:Team=" + Team,

            // The team's pipeline renews its certificates under this domain (TestCallers grants it two other names).
            $"--Pki:Access:Teams:{Team}:Names:2=*.{Domain}",
            "--Pki:Inventory:OwnerRules:0:Owner=" + RuleOwner,
            "--Pki:Events:DispatchDelaySeconds=0",
        ];
        await StartHostAsync(args, services => services.Replace(ServiceDescriptor.Singleton<TimeProvider>(Time)));
    }

    public INoticeStore Notices => App.Services.GetRequiredService<INoticeStore>();

    /// <summary>Runs the PlanNotices timer function through the admin API, as an operator would, and waits for its log line.</summary>
    public async Task RunNoticePassAsync()
    {
        var before = PassesLogged();
        using var run = await Client.PostAsJsonAsync("/admin/functions/PlanNotices", new { input = string.Empty });
        Assert.True(run.IsSuccessStatusCode, $"{(int)run.StatusCode} {ErrorLog()}");
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (PassesLogged() == before)
        {
            Assert.True(DateTime.UtcNow < deadline, "The notice pass did not finish: " + ErrorLog());
            await Task.Delay(50);
        }
    }

    /// <summary>Mails received about one certificate (its fingerprint is in the inventory link of every notice).</summary>
    public IReadOnlyList<MimeMessage> MailsAbout(string fingerprint) =>
        Smtp.Messages().Where(m => (m.TextBody ?? string.Empty).Contains(fingerprint, StringComparison.Ordinal)).ToArray();

    public static IReadOnlyList<MimeMessage> To(IEnumerable<MimeMessage> mails, string address) =>
        mails.Where(m => m.To.Mailboxes.Any(a => string.Equals(a.Address, address, StringComparison.OrdinalIgnoreCase))).ToArray();

    /// <summary>Waits until the notice is sent, or fails naming what was logged.</summary>
    public async Task WaitForSentAsync(string fingerprint, int thresholdDays, RecipientLevel level)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (await Notices.GetAsync(fingerprint, thresholdDays, level) is not { State: NoticeState.Sent })
        {
            Assert.True(DateTime.UtcNow < deadline, $"Notice {fingerprint}/{thresholdDays}/{level} was not sent: {ErrorLog()}");
            await Task.Delay(100);
        }
    }

    /// <summary>Every lifecycle event published so far (taken off this host's queue and kept here, so none is counted twice or missed).</summary>
    public async Task<IReadOnlyList<CloudEvent>> EventsAsync()
    {
        // What the immediate publish left in the outbox (an older event of its shard was still pending, as happens
        // when a pass records events in parallel) goes out now, as the DispatchEvents timer (off here) would send it.
        var dispatched = await App.Services.GetRequiredService<EventDispatcher>().DispatchAsync();
        Assert.Equal(0, dispatched.FailedShards);
        var queue = new QueueClient(TestEnvironment.StorageConnectionString, QueueNames.Resolve(TablePrefix, QueueNames.LifecycleEvents), new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 });
        if (await queue.ExistsAsync())
        {
            while (true)
            {
                var received = (await queue.ReceiveMessagesAsync(maxMessages: 32, visibilityTimeout: TimeSpan.FromMinutes(5))).Value;
                if (received.Length == 0)
                {
                    break;
                }

                foreach (var message in received)
                {
                    _events.Add(CloudEvent.Parse(message.Body.ToString()));
                    await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt);
                }
            }
        }

        return [.. _events];
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await Smtp.DisposeAsync();
    }

    private int PassesLogged() => Logs.GetSnapshot().Count(l => l.Message.StartsWith("Expiry notice pass read", StringComparison.Ordinal));
}
