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

        var enqueued = 0;
        var pass = await DayBucketPass.RunAsync(
            from,
            today,
            async day =>
            {
                var (sent, complete) = await PlanDayAsync(day, now, cancellationToken).ConfigureAwait(false);
                enqueued += sent;
                return complete;
            },
            (day, e) => logger.LogError(e, "Renewal planning of due day {Day} failed; the next pass tries it again", day)).ConfigureAwait(false);

        if (pass.Cursor != stored)
        {
            await index.SetCursorAsync(pass.Cursor, cancellationToken).ConfigureAwait(false);
        }

        logger.LogInformation("Renewal planning read {Days} due days, enqueued {Enqueued} certificates, {Failed} days failed; cursor at {Cursor}", pass.Days, enqueued, pass.Failed, pass.Cursor);
        return new PlanningOutcome(pass.Days, enqueued, pass.Failed, pass.Cursor);
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

        // An unmarked entry holds the cursor at its day, so the next pass does read it again.
        return (due.Count, complete && marked == due.Count);
    }
}
