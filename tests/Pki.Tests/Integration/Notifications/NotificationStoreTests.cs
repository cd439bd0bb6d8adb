using Azure;
using Microsoft.Extensions.Options;
using Pki.Core;
using Pki.Core.Notifications;
using Pki.Core.Storage;
using Pki.Tests.Infrastructure;

namespace Pki.Tests.Integration.Notifications;

/// <summary>The notice store against Azurite: who may send a notice, and what a digest reads back.</summary>
public sealed class NotificationStoreTests
{
    private const string Fingerprint = "5f1e0c2d3b4a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0";
    private static readonly DateTimeOffset Now = new(2026, 11, 27, 12, 0, 0, TimeSpan.Zero);
    private readonly TableNoticeStore _store = new(new TableStorage(Options.Create(new PkiOptions
    {
        Storage = { ConnectionString = TestEnvironment.StorageConnectionString, TablePrefix = TestEnvironment.UniqueId("nt") },
    })));

    [Fact]
    public async Task One_message_holds_a_notice_its_retry_takes_it_over_another_waits_for_expiry_and_nothing_claims_a_sent_one()
    {
        var first = await _store.TryClaimAsync(Fingerprint, 7, RecipientLevel.Owner, "m1", Now, Now.AddMinutes(10));
        Assert.Equal(ClaimOutcome.Claimed, first.Outcome);
        Assert.Equal(ClaimOutcome.HeldByOther, (await _store.TryClaimAsync(Fingerprint, 7, RecipientLevel.Owner, "m2", Now, Now.AddMinutes(10))).Outcome);

        // Another threshold or level is another notice.
        Assert.Equal(ClaimOutcome.Claimed, (await _store.TryClaimAsync(Fingerprint, 7, RecipientLevel.Team, "m2", Now, Now.AddMinutes(10))).Outcome);
        Assert.Equal(ClaimOutcome.Claimed, (await _store.TryClaimAsync(Fingerprint, 3, RecipientLevel.Owner, "m2", Now, Now.AddMinutes(10))).Outcome);

        var marked = await _store.MarkChannelAsync(first.Record, EmailNoticeChannel.ChannelName);
        var retry = await _store.TryClaimAsync(Fingerprint, 7, RecipientLevel.Owner, "m1", Now.AddSeconds(5), Now.AddMinutes(11));
        Assert.Equal(ClaimOutcome.Claimed, retry.Outcome);
        Assert.Equal([EmailNoticeChannel.ChannelName], retry.Record.Channels);

        // The first try's version is stale now: its late writes fail rather than overwrite the retry's.
        await Assert.ThrowsAsync<RequestFailedException>(() => _store.MarkSentAsync(marked, Now));

        var takenOver = await _store.TryClaimAsync(Fingerprint, 7, RecipientLevel.Owner, "m2", Now.AddMinutes(12), Now.AddMinutes(22));
        Assert.Equal(ClaimOutcome.Claimed, takenOver.Outcome);
        Assert.Equal([EmailNoticeChannel.ChannelName], takenOver.Record.Channels);
        await _store.MarkSentAsync(takenOver.Record, Now.AddMinutes(12));

        var sent = await _store.TryClaimAsync(Fingerprint, 7, RecipientLevel.Owner, "m3", Now.AddDays(1), Now.AddDays(1));
        Assert.Equal(ClaimOutcome.AlreadySent, sent.Outcome);
        Assert.Equal(Now.AddMinutes(12), sent.Record.SentAt);
    }

    [Fact]
    public async Task A_released_claim_may_be_taken_at_once()
    {
        var claim = await _store.TryClaimAsync(Fingerprint, 0, RecipientLevel.Admins, "m1", Now, Now.AddMinutes(10));
        await _store.ReleaseAsync(claim.Record, Now);
        Assert.Equal(ClaimOutcome.Claimed, (await _store.TryClaimAsync(Fingerprint, 0, RecipientLevel.Admins, "m2", Now.AddSeconds(1), Now.AddMinutes(10))).Outcome);
    }

    [Fact]
    public async Task Digest_entries_come_back_by_day_with_the_notice_and_a_digest_is_marked_per_owner_and_day()
    {
        var notice = new Notice(Fingerprint, "0A1B", "CN=web.internal", ["web.internal"], "CN=Issuing", Now.AddDays(7), 7, 7, ["10.0.0.1:443"],
            "Owner/One#x@pki.test", "web", RecipientLevel.Owner, new Uri("http://pki.test/api/inventory/" + Fingerprint), false);
        await _store.UpsertDigestEntryAsync(new DigestEntry(notice.Owner!, Now, notice));
        await _store.UpsertDigestEntryAsync(new DigestEntry(notice.Owner!, Now, notice));

        var entry = Assert.Single(await _store.ListDigestEntriesAsync(DateOnly.FromDateTime(Now.UtcDateTime)));
        Assert.Equal(notice, entry.Notice with { DnsNames = notice.DnsNames, Locations = notice.Locations });
        Assert.Equal(notice.DnsNames, entry.Notice.DnsNames);
        Assert.Equal(notice.Locations, entry.Notice.Locations);
        Assert.Empty(await _store.ListDigestEntriesAsync(DateOnly.FromDateTime(Now.UtcDateTime).AddDays(1)));

        var day = DateOnly.FromDateTime(Now.UtcDateTime);
        Assert.False(await _store.IsDigestSentAsync(day, notice.Owner!));
        await _store.MarkDigestSentAsync(day, notice.Owner!, Now);
        Assert.True(await _store.IsDigestSentAsync(day, "OWNER/ONE#X@PKI.TEST"));
        Assert.False(await _store.IsDigestSentAsync(day.AddDays(1), notice.Owner!));
    }
}
