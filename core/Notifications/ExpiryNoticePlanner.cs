using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Pki.Core.Authority;
using Pki.Core.Events;
using Pki.Core.Inventory;
using Pki.Core.Renewal;

namespace Pki.Core.Notifications;

/// <summary>
/// The expiry-notice pass: reads only the day buckets of the expiry-notice index from its cursor through today (one
/// single-partition query each, so its cost grows with the certificates crossing a threshold, never with the estate),
/// and for each crossing that has happened records an "expiring" (or, at threshold 0, "expired") lifecycle event and,
/// unless something was done about the certificate, puts one notice request per recipient level on the notifications
/// queue. Each crossing is then marked planned, so a second pass does nothing again; the notices table sends each
/// notice once even if a mark is lost, and the events keep their ids.
/// </summary>
/// <remarks>
/// What counts as action (no notice, escalation stops): the certificate was revoked; or it is ours and has an issued
/// successor (renewed); or it was deployed somewhere and is deployed nowhere now (every location it was seen at
/// presents another certificate). A certificate of ours that renews itself gets no notice while its renewal is not yet
/// due: until then there is nothing for anyone to do.
/// </remarks>
public sealed class ExpiryNoticePlanner(
    IExpiryNoticeIndex index,
    IInventoryItemStore inventory,
    IInventoryLocationStore inventoryLocations,
    ICertificateStore certificates,
    INoticeQueue queue,
    LifecycleEvents events,
    LifecycleEventRecorder recorder,
    IOptions<PkiOptions> options,
    TimeProvider time,
    ILogger<ExpiryNoticePlanner> logger)
{
    /// <summary>The start of the warning the "expiring without renewal" alert in infra/ searches for (parameter expiringWithoutRenewalMessage); keep it.</summary>
    public const string ExpiringWithoutRenewal = "Certificate expiring without renewal";

    /// <summary>Crossings handled at once within one day's bucket: the pass is bound by round trips, not by work.</summary>
    public const int Parallelism = 16;

    public async Task<NoticePlanningOutcome> PlanAsync(CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        var stored = await index.GetCursorAsync(cancellationToken).ConfigureAwait(false);
        var from = stored is null ? today.AddDays(-options.Value.Notifications.InitialLookbackDays) : RenewalDays.Parse(stored);

        int crossings = 0, queued = 0;
        var pass = await DayBucketPass.RunAsync(
            from,
            today,
            async (day, _) =>
            {
                // Always marked: the chained next entry may land on this very day, which is then read again.
                var outcome = await PlanDayAsync(day, now, cancellationToken).ConfigureAwait(false);
                crossings += outcome.Crossings;
                queued += outcome.Queued;
                return outcome.Complete;
            },
            (day, e) => logger.LogError(e, "Expiry notices of day {Day} failed; the next pass tries it again", day)).ConfigureAwait(false);

        if (pass.Cursor != stored)
        {
            await index.SetCursorAsync(pass.Cursor, cancellationToken).ConfigureAwait(false);
        }

        logger.LogInformation("Expiry notice pass read {Days} days, handled {Crossings} threshold crossings, queued {Queued} notices, {Failed} days failed; cursor at {Cursor}",
            pass.Days, crossings, queued, pass.Failed, pass.Cursor);
        return new NoticePlanningOutcome(pass.Days, crossings, queued, pass.Failed, pass.Cursor);
    }

    private async Task<(int Crossings, int Queued, bool Complete)> PlanDayAsync(string day, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var crossed = new List<ExpiryNoticeEntry>();
        var complete = true;
        await foreach (var entry in index.QueryDayAsync(day, cancellationToken).ConfigureAwait(false))
        {
            if (entry.Planned)
            {
                continue;
            }

            if (entry.CrossesAt > now)
            {
                complete = false; // crossed later today
                continue;
            }

            crossed.Add(entry);
        }

        var handled = new List<ExpiryNoticeEntry>();
        var queued = 0;
        var chainedIntoThisDay = false;
        await Parallel.ForEachAsync(crossed, new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = cancellationToken }, async (entry, ct) =>
        {
            try
            {
                var sent = await HandleAsync(entry, now, ct).ConfigureAwait(false);

                // The next threshold's entry before this one's mark: a crash between them handles this one again (the
                // notices table and the event ids keep that harmless) and re-adds the next (only where absent).
                if (ExpiryThresholds.Next(entry, options.Value.Notifications.Thresholds) is { } next)
                {
                    await index.AddAsync([next], ct).ConfigureAwait(false);

                    // Later than this crossing, but possibly on this day (a catch-up entry): then this day is read again.
                    if (next.Day == day)
                    {
                        Volatile.Write(ref chainedIntoThisDay, true);
                    }
                }

                Interlocked.Add(ref queued, sent);
                lock (handled)
                {
                    handled.Add(entry);
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // Left unmarked: the next pass handles it again (the notices table and the event ids keep that harmless).
                logger.LogError(e, "Expiry notice of certificate {Fingerprint} at {ThresholdDays} days failed; the next pass tries it again", entry.Fingerprint, entry.ThresholdDays);
            }
        }).ConfigureAwait(false);

        // Handled first, marked after: a lost mark handles the crossing again next pass; a mark first could lose a notice.
        var marked = handled.Count == 0 ? 0 : await index.MarkPlannedAsync(handled, cancellationToken).ConfigureAwait(false);
        if (marked < handled.Count)
        {
            logger.LogWarning("{Unmarked} expiry-notice entries of day {Day} changed while handled; the next pass reads the day again", handled.Count - marked, day);
        }

        // A day with an unhandled or unmarked crossing holds the cursor, so the next pass reads it again.
        return (crossed.Count, queued, complete && marked == crossed.Count && !chainedIntoThisDay);
    }

    /// <summary>One crossing: its event, then the notices it calls for; returns how many notice requests were queued.</summary>
    private async Task<int> HandleAsync(ExpiryNoticeEntry entry, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var threshold = entry.ThresholdDays;
        if (await inventory.GetAsync(entry.Fingerprint, cancellationToken).ConfigureAwait(false) is not { } found)
        {
            // Indexed just before its first write, which did not happen (yet): that write indexes it again if it comes.
            logger.LogInformation("Certificate {Fingerprint} crossed {ThresholdDays} days but is not in the inventory; nothing to tell", entry.Fingerprint, threshold);
            return 0;
        }

        var item = found.Item;
        var record = item.IssuerCaId is null ? null : await certificates.GetAsync(item.SerialNumber, cancellationToken).ConfigureAwait(false);
        if (record is not null && (record.IssuerId != item.IssuerCaId || record.CertificateDer is null))
        {
            record = null;
        }

        if (item.Revoked || record is { Status: CertificateStatus.Revoked })
        {
            logger.LogInformation("Certificate {Fingerprint} (serial {SerialNumber}) crossed {ThresholdDays} days but is revoked; no notice, no event", item.Fingerprint, item.SerialNumber, threshold);
            return 0;
        }

        // The event is a fact about the certificate, published whether or not anyone is told.
        var crossing = ExpiryThresholds.CrossingOf(item.NotAfter, threshold);
        var cloudEvent = record is null
            ? events.ExpiryOf(item, threshold)
            : threshold == 0 ? events.Expired(record) : events.Expiring(record, threshold, crossing);
        await recorder.RecordAsync(cloudEvent, CancellationToken.None).ConfigureAwait(false);

        if (await ActionAsync(item, record, cancellationToken).ConfigureAwait(false) is { } action)
        {
            logger.LogInformation("Certificate {Fingerprint} (serial {SerialNumber}) crossed {ThresholdDays} days and was {Action}; no notice", item.Fingerprint, item.SerialNumber, threshold, action);
            return 0;
        }

        var thresholds = options.Value.Notifications.Thresholds;
        var noticesFrom = item.FirstSeen;
        if (record is not null && AutoRenewal.AutoRenews(record) && !options.Value.Renewal.RequireNewKey)
        {
            // Same due moment as the renewal index: never before the certificate was made.
            var due = RenewalPolicy.DueAt(record.NotBefore, record.NotAfter, options.Value.Renewal);
            due = due < record.CreatedAt ? record.CreatedAt : due;
            noticesFrom = due > noticesFrom ? due : noticesFrom;
            if (crossing < noticesFrom)
            {
                logger.LogInformation("Certificate {SerialNumber} crossed {ThresholdDays} days and renews itself from {DueAt:o}; no notice", record.SerialNumber, threshold, due);
                return 0;
            }
        }

        if (ExpiryThresholds.IsSuperseded(threshold, item.NotAfter, now, thresholds))
        {
            logger.LogInformation("Certificate {Fingerprint} crossed {ThresholdDays} days and a nearer threshold since (a late pass); only that one is noticed", item.Fingerprint, threshold);
            return 0;
        }

        logger.LogWarning(ExpiringWithoutRenewal + ": {Fingerprint} (serial {SerialNumber}, {Subject}) of owner {Owner}, team {Team}, expires {NotAfter:o} and crossed the {ThresholdDays}-day threshold with no successor",
            item.Fingerprint, item.SerialNumber, item.Subject, item.Owner, item.Team, item.NotAfter, threshold);
        if (item.Owner is null && item.Team is null)
        {
            logger.LogWarning("Certificate {Fingerprint} ({Subject}) has no owner or team; no notice at {ThresholdDays} days (set one with PUT /api/inventory/{{fingerprint}}/owner or an owner rule)",
                item.Fingerprint, item.Subject, threshold);
            return 0;
        }

        var levels = ExpiryThresholds.Levels(ExpiryThresholds.Escalation(threshold, item.NotAfter, item.FirstSeen, noticesFrom, thresholds));
        foreach (var level in levels)
        {
            await queue.SendAsync(new NoticeRequest(item.Fingerprint, threshold, level), cancellationToken).ConfigureAwait(false);
        }

        logger.LogInformation("Certificate {Fingerprint} crossed {ThresholdDays} days: notices queued for {Levels}", item.Fingerprint, threshold, string.Join(", ", levels));
        return levels.Count;
    }

    /// <summary>What was done about the certificate, if anything: renewed (an issued successor of ours), or no longer deployed.</summary>
    private async Task<string?> ActionAsync(InventoryItem item, CertificateRecord? record, CancellationToken cancellationToken)
    {
        if (record?.SuccessorSerial is { } successor
            && await certificates.GetAsync(successor, cancellationToken).ConfigureAwait(false) is { Status: CertificateStatus.Issued })
        {
            return "renewed as " + successor;
        }

        var locations = await inventoryLocations.ListLocationsAsync(item.Fingerprint, cancellationToken).ConfigureAwait(false);
        return locations.Count > 0 && !locations.Any(l => l.Current) ? "replaced wherever it was deployed" : null;
    }
}
