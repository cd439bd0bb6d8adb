using System.Security.Cryptography;
using Azure.Storage.Queues;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;
using Pki.Core.Inventory;
using Pki.Core.Notifications;
using Pki.Core.Storage;

namespace Pki.Tests.Infrastructure.Mail;

/// <summary>
/// A dev host whose notices go to a real SMTP server (<see cref="SmtpSink"/>) and to Teams webhooks on loopback
/// (<see cref="TeamsWebhookDouble"/>), retrying queue messages after a second, with its log recorded. The host runs on a
/// fake clock that stands still, so "today" (a digest goes out once per UTC day) cannot change between two steps of a test.
/// Team "payments" has addresses and a channel of its own; other teams post to the default channel.
/// </summary>
public sealed class NotificationHostFixture : DevHostFixture
{
    public const string From = "pki@pki.test";
    public const string AdminAddress = "admins@pki.test";
    public const string PaymentsTeam = "payments";
    public const string PaymentsAddress = "payments@pki.test";
    public const string DefaultWebhook = "default";
    public const string PaymentsWebhook = "payments";

    public SmtpSink Smtp { get; private set; } = null!;

    public TeamsWebhookDouble Teams { get; private set; } = null!;

    /// <summary>Whole seconds, as stored times round-trip; the real clock is read once.</summary>
    public FakeTimeProvider Time { get; } = new(DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds()));

    public override async Task InitializeAsync()
    {
        Smtp = await SmtpSink.StartAsync();
        Teams = await TeamsWebhookDouble.StartAsync();
        string[] args =
        [
            .. Smtp.HostArgs(From, AdminAddress),
            $"--Pki:Notifications:TeamAddresses:{PaymentsTeam}={PaymentsAddress}",
            "--Pki:Notifications:Teams:WebhookUrl=" + Teams.Url(DefaultWebhook),
            $"--Pki:Notifications:Teams:TeamWebhooks:{PaymentsTeam}={Teams.Url(PaymentsWebhook)}",
        ];
        await StartHostAsync(args, services => services.Replace(ServiceDescriptor.Singleton<TimeProvider>(Time)));
    }

    public INoticeStore Notices => App.Services.GetRequiredService<INoticeStore>();

    /// <summary>Puts a certificate into the inventory as a sweep would, deployed at <paramref name="location"/>; returns its fingerprint.</summary>
    public async Task<string> AddCertificateAsync(string dnsName, string? owner, string? team, TimeSpan expiresIn, string location)
    {
        var fingerprint = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        var now = Time.GetUtcNow();
        var item = new InventoryItem(fingerprint, "CN=" + dnsName, "CN=Partner Issuing CA", Convert.ToHexString(RandomNumberGenerator.GetBytes(16)),
            now.AddDays(-30), now + expiresIn, [dnsName], [], "ECDSA", 256, "sha256ECDSA", false, InventorySources.Endpoint,
            owner, team, OwnerSource.Api, now, now, null, false, []);
        Assert.True(await App.Services.GetRequiredService<IInventoryItemStore>().TryAddAsync(item));
        await App.Services.GetRequiredService<IInventoryLocationStore>().UpsertLocationAsync(new InventoryLocation(fingerprint, location, LocationKind.Endpoint, 0, now, now, dnsName, "10.1.2.3", null, [fingerprint], []));
        return fingerprint;
    }

    public Task SendAsync(NoticeRequest request) => App.Services.GetRequiredService<INoticeQueue>().SendAsync(request);

    /// <summary>Waits until a log line matches; fails naming the errors logged so far.</summary>
    public async Task<FakeLogRecord> WaitForLogAsync(Func<FakeLogRecord, bool> match, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (true)
        {
            if (Logs.GetSnapshot().FirstOrDefault(match) is { } found)
            {
                return found;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("No matching log line; errors: " + string.Join("\n", Logs.GetSnapshot().Where(l => l.Level >= LogLevel.Warning).Select(l => l.Message + " " + l.Exception?.Message)));
            }

            await Task.Delay(100);
        }
    }

    public async Task<NoticeRecord> WaitForStateAsync(string fingerprint, int thresholdDays, RecipientLevel level, NoticeState state, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (true)
        {
            if (await Notices.GetAsync(fingerprint, thresholdDays, level) is { } record && record.State == state)
            {
                return record;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Notice {fingerprint}/{thresholdDays}/{level} did not reach {state}.");
            }

            await Task.Delay(100);
        }
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await Smtp.DisposeAsync();
        await Teams.DisposeAsync();
    }
}
