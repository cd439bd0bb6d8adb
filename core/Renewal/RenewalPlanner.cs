using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Pki.Core.Renewal;

/// <summary>
/// The planning pass: reads only the due-day buckets from the cursor through today (one single-partition query
/// each, so its cost grows with the days and the due certificates, never with the estate) and puts one message
/// per due certificate on the renewals queue. A second pass sends nothing again: an entry is marked planned after
/// its message is sent (if that mark is lost, the renewer's successor check makes the repeat harmless).
/// </summary>
public sealed class RenewalPlanner(IRenewalIndex index, IRenewalQueue queue, IOptions<PkiOptions> options, TimeProvider time, ILogger<RenewalPlanner> logger)
{
    public async Task<PlanningOutcome> PlanAsync(CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        var stored = await index.GetCursorAsync(cancellationToken).ConfigureAwait(false);
        var from = stored is null ? today.AddDays(-options.Value.Renewal.InitialLookbackDays) : RenewalDays.Parse(stored);

        // Each day is planned on its own; a failing bucket is logged and holds the cursor, the rest go on (Boulder's sweeps).
        DateOnly? firstIncomplete = null;
        int days = 0, enqueued = 0, failed = 0;
        for (var day = from; day <= today; day = day.AddDays(1))
        {
            days++;
            bool complete;
            try
            {
                var (sent, done) = await PlanDayAsync(RenewalDays.Of(day), now, cancellationToken).ConfigureAwait(false);
                enqueued += sent;
                complete = done;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                failed++;
                complete = false;
                logger.LogError(e, "Renewal planning of due day {Day} failed; the next pass tries it again", RenewalDays.Of(day));
            }

            if (!complete)
            {
                firstIncomplete ??= day;
            }
        }

        // Today is never passed: certificates issued later today may still fall due today.
        var cursor = firstIncomplete is { } incomplete && incomplete < today ? incomplete : today;
        var cursorDay = RenewalDays.Of(cursor);
        if (cursorDay != stored)
        {
            await index.SetCursorAsync(cursorDay, cancellationToken).ConfigureAwait(false);
        }

        logger.LogInformation("Renewal planning read {Days} due days, enqueued {Enqueued} certificates, {Failed} days failed; cursor at {Cursor}", days, enqueued, failed, cursorDay);
        return new PlanningOutcome(days, enqueued, failed, cursorDay);
    }

    /// <summary>Messages sent at once within one day's bucket: the pass is bound by round trips, not by work.</summary>
    public const int Parallelism = 16;

    private async Task<(int Sent, bool Complete)> PlanDayAsync(string day, DateTimeOffset now, CancellationToken cancellationToken)
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

        // Send all, then mark all (in batches of one partition): a lost mark sends the message again next pass,
        // which the renewer deduplicates; a mark before the send could lose the renewal.
        await Parallel.ForEachAsync(due, new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = cancellationToken }, async (entry, ct) =>
            await queue.SendAsync(new RenewalMessage(entry.SerialNumber), ct).ConfigureAwait(false)).ConfigureAwait(false);
        var marked = due.Count == 0 ? 0 : await index.MarkPlannedAsync(due, cancellationToken).ConfigureAwait(false);
        if (marked < due.Count)
        {
            logger.LogWarning("{Unmarked} renewal index entries of due day {Day} changed while planned; the next pass sends them again and the renewer deduplicates", due.Count - marked, day);
        }

        return (due.Count, complete);
    }
}
