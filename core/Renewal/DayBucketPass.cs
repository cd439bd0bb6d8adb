namespace Pki.Core.Renewal;

/// <summary>
/// The walk both planning passes (renewals, expiry notices) make over day buckets: every day from the stored cursor
/// through today, each on its own, so a failing bucket is logged and holds the cursor while the rest go on (Boulder's
/// sweeps). The new cursor is the first day not complete, and never passes today, since later today more may fall due.
/// </summary>
public static class DayBucketPass
{
    /// <param name="from">The first day to read (the stored cursor, or today minus the initial look-back).</param>
    /// <param name="today">The last day to read.</param>
    /// <param name="planDay">
    /// Plans one day's bucket (<c>yyyyMMdd</c>); true when nothing in it is left for a later pass. Its second argument
    /// says whether the next pass reads this day again anyway: it is today, or an earlier day of this pass is incomplete
    /// (then the cursor stays before it). Only then must handled entries be marked; otherwise the cursor passes them.
    /// </param>
    /// <param name="dayFailed">Told of a day whose planning threw; the day is tried again next pass.</param>
    public static async Task<DayBucketPassResult> RunAsync(DateOnly from, DateOnly today, Func<string, bool, Task<bool>> planDay, Action<string, Exception> dayFailed)
    {
        ArgumentNullException.ThrowIfNull(planDay);
        ArgumentNullException.ThrowIfNull(dayFailed);
        DateOnly? firstIncomplete = null;
        int days = 0, failed = 0;
        for (var day = from; day <= today; day = day.AddDays(1))
        {
            days++;
            bool complete;
            try
            {
                complete = await planDay(RenewalDays.Of(day), day == today || firstIncomplete is not null).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                failed++;
                complete = false;
                dayFailed(RenewalDays.Of(day), e);
            }

            if (!complete)
            {
                firstIncomplete ??= day;
            }
        }

        var cursor = firstIncomplete is { } incomplete && incomplete < today ? incomplete : today;
        return new DayBucketPassResult(days, failed, RenewalDays.Of(cursor));
    }
}
