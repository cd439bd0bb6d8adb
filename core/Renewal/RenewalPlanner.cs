using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Pki.Core.Renewal;

/// <summary>
/// The planning pass: reads only the due-day buckets from the cursor through today (one single-partition query
/// each, so its cost grows with the days and the due certificates, never with the estate) and puts the due
/// certificates on the renewal-batches queue, up to <see cref="RenewalBatch.MaxSerials"/> of one day per message;
/// <see cref="RenewalFanOut"/> turns each batch into one renewals-queue message per certificate. A second pass sends
/// nothing again: the cursor moves past every day whose entries were all sent, and entries of a day the next pass
/// reads again (today, or a day after an incomplete one) are marked planned after their batch is sent. A lost mark or
/// a re-read day sends again, which the renewer's successor check makes harmless.
/// </summary>
public sealed class RenewalPlanner(IRenewalIndex index, IRenewalQueue queue, IOptions<PkiOptions> options, TimeProvider time, ILogger<RenewalPlanner> logger)
{
    private int _warned;

    public async Task<PlanningOutcome> PlanAsync(CancellationToken cancellationToken = default)
    {
        WarnOnceOfClampedSettings();
        var now = time.GetUtcNow();
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        var stored = await index.GetCursorAsync(cancellationToken).ConfigureAwait(false);
        var from = stored is null ? today.AddDays(-options.Value.Renewal.InitialLookbackDays) : RenewalDays.Parse(stored);

        int enqueued = 0, batches = 0;
        var pass = await DayBucketPass.RunAsync(
            from,
            today,
            async (day, readAgain) =>
            {
                var (sent, messages, complete) = await PlanDayAsync(day, now, readAgain, cancellationToken).ConfigureAwait(false);
                enqueued += sent;
                batches += messages;
                return complete;
            },
            (day, e) => logger.LogError(e, "Renewal planning of due day {Day} failed; the next pass tries it again", day)).ConfigureAwait(false);

        if (pass.Cursor != stored)
        {
            await index.SetCursorAsync(pass.Cursor, cancellationToken).ConfigureAwait(false);
        }

        logger.LogInformation("Renewal planning read {Days} due days, enqueued {Enqueued} certificates in {Batches} batches, {Failed} days failed; cursor at {Cursor}", pass.Days, enqueued, batches, pass.Failed, pass.Cursor);
        return new PlanningOutcome(pass.Days, enqueued, batches, pass.Failed, pass.Cursor);
    }

    /// <summary>Settings that would make an auto-renewed profile's certificates due at birth are clamped; say so once.</summary>
    private void WarnOnceOfClampedSettings()
    {
        if (Interlocked.Exchange(ref _warned, 1) == 1)
        {
            return;
        }

        var renewal = options.Value.Renewal;
        foreach (var profile in new[] { Authority.ProfileNames.TlsServer, Authority.ProfileNames.TlsClient })
        {
            var days = options.Value.Profiles.TryGetValue(profile, out var configured) && configured.MaxValidityDays is { } max ? max : Authority.ProfileCatalog.DefaultMaxValidityDays;
            if (RenewalPolicy.IsClamped(days, renewal))
            {
                logger.LogWarning(
                    "Pki:Renewal settings (RenewAfterFraction {Fraction}, RenewDaysBeforeExpiry {Days}) would make {Profile} certificates of {Lifetime} days due at birth; they are renewed a third of the way through their lifetime instead",
                    renewal.RenewAfterFraction, renewal.RenewDaysBeforeExpiry, profile, days);
            }
        }
    }

    /// <summary>Batch messages sent at once within one day's bucket: the pass is bound by round trips, not by work.</summary>
    public const int Parallelism = 16;

    private async Task<(int Sent, int Batches, bool Complete)> PlanDayAsync(string day, DateTimeOffset now, bool readAgain, CancellationToken cancellationToken)
    {
        var due = new List<RenewalIndexEntry>();
        var complete = true;
        await foreach (var entry in index.QueryDayAsync(day, cancellationToken).ConfigureAwait(false))
        {
            if (entry.Planned)
            {
                continue;
            }

            if (entry.DueAt > now)
            {
                complete = false; // due later today
                continue;
            }

            due.Add(entry);
        }

        // One message per batch, not per certificate: sends were 14.7 of the 16 s a pass over 10,000 due certificates
        // took. Send all, then mark all (in batches of one partition): a lost mark sends the batch again next pass,
        // which the renewer's successor check deduplicates; a mark before the send could lose the renewal.
        var batches = due.Chunk(RenewalBatch.MaxSerials).Select(chunk => new RenewalBatch(day, [.. chunk.Select(e => e.SerialNumber)])).ToList();
        await Parallel.ForEachAsync(batches, new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = cancellationToken }, async (batch, ct) =>
            await queue.SendBatchAsync(batch, ct).ConfigureAwait(false)).ConfigureAwait(false);

        // A day the cursor moves past is never read again: its entries need no mark (one write per 100 saved, and on
        // a catch-up over past days, all of them).
        if (!readAgain)
        {
            return (due.Count, batches.Count, complete);
        }

        var marked = due.Count == 0 ? 0 : await index.MarkPlannedAsync(due, cancellationToken).ConfigureAwait(false);
        if (marked < due.Count)
        {
            logger.LogWarning("{Unmarked} renewal index entries of due day {Day} changed while planned; the next pass sends them again and the renewer deduplicates", due.Count - marked, day);
        }

        // An unmarked entry holds the cursor at its day, so the next pass does read it again.
        return (due.Count, batches.Count, complete && marked == due.Count);
    }
}
