using Microsoft.Extensions.Logging;

namespace Pki.Core.Notifications;

/// <summary>
/// The daily digest: one mail per owner listing the certificates they got notices about in the last 24 hours.
/// Reads the digest index of today and yesterday (two partitions, whose size grows with the notices sent, not with
/// the estate). An owner's digest is sent once per UTC day: send, then mark (a crash between resends it once).
/// </summary>
public sealed class DigestService(INoticeStore store, SmtpMailer mailer, TimeProvider time, ILogger<DigestService> logger)
{
    private static readonly TimeSpan Window = TimeSpan.FromHours(24);

    /// <summary>Sends the digests due now; returns how many went out. One owner's failure does not stop the others; all failures are thrown together at the end.</summary>
    public async Task<int> SendAsync(CancellationToken cancellationToken = default)
    {
        if (!mailer.IsConfigured)
        {
            logger.LogInformation("No digest: Pki:Notifications:Smtp:Host is not set");
            return 0;
        }

        var now = time.GetUtcNow();
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        var entries = new List<DigestEntry>();
        foreach (var day in new[] { DateOnly.FromDateTime((now - Window).UtcDateTime), today }.Distinct())
        {
            entries.AddRange(await store.ListDigestEntriesAsync(day, cancellationToken).ConfigureAwait(false));
        }

        var sent = 0;
        var failures = new List<Exception>();
        foreach (var owner in entries.Where(e => e.SentAt > now - Window && e.SentAt <= now).GroupBy(e => e.Owner, StringComparer.OrdinalIgnoreCase))
        {
            if (NoticeRecipients.TryParseMailbox(owner.Key) is not { } to || await store.IsDigestSentAsync(today, owner.Key, cancellationToken).ConfigureAwait(false))
            {
                continue;
            }

            // One line per certificate, at its nearest threshold, with days left as of now.
            var notices = owner.GroupBy(e => e.Notice.Fingerprint, StringComparer.Ordinal)
                .Select(g => g.OrderBy(e => e.Notice.ThresholdDays).First().Notice.At(now))
                .ToArray();
            try
            {
                await mailer.SendAsync(NoticeEmail.ForDigest(owner.Key, notices, mailer.From, to), cancellationToken).ConfigureAwait(false);
                await store.MarkDigestSentAsync(today, owner.Key, now, cancellationToken).ConfigureAwait(false);
                sent++;
                logger.LogInformation("Digest of {Count} certificates sent to {Owner}", notices.Length, owner.Key);
            }
            catch (NoticeDeliveryException e)
            {
                logger.LogWarning(e, "Digest for {Owner} failed", owner.Key);
                failures.Add(e);
            }
        }

        return failures.Count == 0 ? sent : throw new AggregateException($"{failures.Count} digests failed; {sent} were sent.", failures);
    }
}
