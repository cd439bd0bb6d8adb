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

    private async Task<(int Sent, bool Complete)> PlanDayAsync(string day, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var sent = 0;
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

            await queue.SendAsync(new RenewalMessage(entry.SerialNumber), cancellationToken).ConfigureAwait(false);
            sent++;
            if (!await index.TryMarkPlannedAsync(entry, cancellationToken).ConfigureAwait(false))
            {
                logger.LogWarning("Renewal index entry of certificate {SerialNumber} changed while planned; the renewer deduplicates", entry.SerialNumber);
            }
        }

        return (sent, complete);
    }
}
