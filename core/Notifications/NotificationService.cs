using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Pki.Core.Inventory;
using Pki.Core.Storage;

namespace Pki.Core.Notifications;

/// <summary>
/// Sends one notice per certificate, threshold and recipient level, whatever the number of messages asking for it.
/// </summary>
/// <remarks>
/// Claim, send, mark. The message claims the notice's row (conditional write: of two messages one wins; the loser
/// drops its message, since the winner's own message retries until it is done). Each channel is sent to and then
/// marked done in the row, and once all are done the row is marked sent. Invariant: a notice marked sent, or a channel
/// marked done, is never sent again. A crash between a channel's send and its mark sends that channel once more on
/// the retry (at most once per crash): we prefer a rare duplicate to a lost notice. A claim whose message died without
/// a retry (poison) is released, and any claim expires after <see cref="NotificationOptions.ClaimMinutes"/>.
/// </remarks>
public sealed class NotificationService(
    IInventoryItemStore inventory,
    IInventoryLocationStore inventoryLocations,
    INoticeStore store,
    INoticeQueue queue,
    IEnumerable<INoticeChannel> channels,
    IOptions<PkiOptions> options,
    TimeProvider time,
    ILogger<NotificationService> logger)
{
    private const int MaxThresholdDays = 3650;
    private readonly INoticeChannel[] _channels = channels.ToArray();

    /// <summary>
    /// Sends the notice <paramref name="request"/> names unless it went out before. A failed channel throws (after the
    /// others were tried), so the queue tries the message again; channels that delivered are not sent to again.
    /// </summary>
    /// <param name="request">The certificate, threshold and level.</param>
    /// <param name="messageId">The queue message's id: a retry of the same message may take over its own claim at once.</param>
    /// <param name="dequeueCount">The try; at the queue's maximum a failure is logged as going to poison.</param>
    /// <param name="cancellationToken">Stops the work.</param>
    public async Task ProcessAsync(NoticeRequest request, string? messageId = null, long dequeueCount = 1, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        try
        {
            await SendOnceAsync(request, messageId ?? Guid.NewGuid().ToString("N"), dequeueCount, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (QueueRetries.MovesToPoison(dequeueCount, e))
        {
            logger.LogError(e, "Notice for certificate {Fingerprint} at {ThresholdDays} days to {Level} failed {Tries} times; the message goes to {Queue}-poison",
                request.Fingerprint, request.ThresholdDays, request.Level, dequeueCount, queue.Name);
            throw;
        }
    }

    /// <summary>The notice as it would be sent now, from the inventory; null when the certificate is not in it.</summary>
    public async Task<Notice?> BuildAsync(string fingerprint, int thresholdDays, RecipientLevel level, CancellationToken cancellationToken = default)
    {
        if (await inventory.GetAsync(fingerprint, cancellationToken).ConfigureAwait(false) is not { } found)
        {
            return null;
        }

        var item = found.Item;
        var locations = (await inventoryLocations.ListLocationsAsync(fingerprint, cancellationToken).ConfigureAwait(false))
            .Where(l => l.Current && l.Kind != LocationKind.Delivery)
            .OrderBy(l => l.Location, StringComparer.Ordinal)
            .Select(l => l.Location)
            .ToArray();
        var now = time.GetUtcNow();
        var link = DashboardLinks.InventoryItem(options.Value.PublicBaseUrl, item.Fingerprint);
        return new Notice(item.Fingerprint, item.SerialNumber, item.Subject, item.DnsNames, item.Issuer, item.NotAfter, 0, thresholdDays,
            locations, item.Owner, item.Team, level, link, false).At(now);
    }

    private async Task SendOnceAsync(NoticeRequest request, string holder, long dequeueCount, CancellationToken cancellationToken)
    {
        var fingerprint = InventoryService.NormalizeFingerprint(request.Fingerprint);
        if (request.ThresholdDays is < 0 or > MaxThresholdDays || !Enum.IsDefined(request.Level))
        {
            throw new ArgumentException($"A notice request needs a threshold of 0 to {MaxThresholdDays} days and a level (Owner, Team, Admins); got {request.ThresholdDays} and {request.Level}.", nameof(request));
        }

        var active = _channels.Where(c => c.IsConfigured).ToArray();
        if (active.Length == 0)
        {
            logger.LogWarning("No notification channel is configured (Pki:Notifications:Smtp:Host, Pki:Notifications:Teams:WebhookUrl); notice for {Fingerprint} not sent", fingerprint);
            return;
        }

        if (await BuildAsync(fingerprint, request.ThresholdDays, request.Level, cancellationToken).ConfigureAwait(false) is not { } notice)
        {
            logger.LogWarning("Certificate {Fingerprint} is not in the inventory; no notice at {ThresholdDays} days to {Level}", fingerprint, request.ThresholdDays, request.Level);
            return;
        }

        var now = time.GetUtcNow();
        var claim = await store.TryClaimAsync(fingerprint, request.ThresholdDays, request.Level, holder, now,
            now.AddMinutes(options.Value.Notifications.ClaimMinutes), cancellationToken).ConfigureAwait(false);
        if (claim.Outcome != ClaimOutcome.Claimed)
        {
            logger.LogInformation("Notice for certificate {Fingerprint} at {ThresholdDays} days to {Level}: {Outcome}; nothing sent",
                fingerprint, request.ThresholdDays, request.Level, claim.Outcome);
            return;
        }

        var record = claim.Record;
        var failures = new List<NoticeDeliveryException>();
        foreach (var channel in active.Where(c => !claim.Record.Channels.Contains(c.Name, StringComparer.Ordinal)))
        {
            bool delivered;
            try
            {
                delivered = await channel.SendAsync(notice, cancellationToken).ConfigureAwait(false);
            }
            catch (NoticeDeliveryException e)
            {
                logger.LogWarning(e, "Notice for certificate {Fingerprint} (serial {SerialNumber}) at {ThresholdDays} days to {Level} failed on {Channel} (try {Try})",
                    fingerprint, notice.SerialNumber, request.ThresholdDays, request.Level, channel.Name, dequeueCount);
                failures.Add(e);
                continue;
            }

            record = await store.MarkChannelAsync(record, channel.Name, cancellationToken).ConfigureAwait(false);
            logger.LogInformation("Notice for certificate {Fingerprint} (serial {SerialNumber}) at {ThresholdDays} days to {Level}: {Channel} {Result}",
                fingerprint, notice.SerialNumber, request.ThresholdDays, request.Level, channel.Name, delivered ? "sent" : "has no recipient at this level");
        }

        if (failures.Count > 0)
        {
            if (QueueRetries.IsLastTry(dequeueCount))
            {
                // This message will not come back: let a later planning pass send what is missing.
                await store.ReleaseAsync(record, time.GetUtcNow(), CancellationToken.None).ConfigureAwait(false);
            }

            throw failures.Count == 1 ? failures[0] : new NoticeDeliveryException(string.Join(" ", failures.Select(f => f.Message)), new AggregateException(failures));
        }

        // The digest entry before the mark, so that a crash between them loses no digest line (the upsert is idempotent).
        if (NoticeRecipients.TryParseMailbox(notice.Owner) is not null)
        {
            await store.UpsertDigestEntryAsync(new DigestEntry(notice.Owner!, now, notice), cancellationToken).ConfigureAwait(false);
        }

        await store.MarkSentAsync(record, now, cancellationToken).ConfigureAwait(false);
    }
}
