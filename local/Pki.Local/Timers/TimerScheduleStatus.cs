namespace Pki.Local.Timers;

/// <summary>
/// A timer's schedule status as the Functions host keeps it in its status blob (and hands it to the function in
/// <c>TimerInfo.ScheduleStatus</c>): the last run, the occurrence the schedule waits for next, and when the status was
/// written, in UTC; <see cref="DateTimeOffset.MinValue"/> for never.
/// </summary>
public sealed record TimerScheduleStatus(DateTimeOffset Last, DateTimeOffset Next, DateTimeOffset LastUpdated);
