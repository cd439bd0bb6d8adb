using Microsoft.Extensions.Logging;

namespace Pki.Tests.Local.Timers;

/// <summary>The dev host runs timer functions on their NCRONTAB schedules, on the injected clock, as the Functions host does.</summary>
public sealed class TimerSchedulerTests
{
    private static readonly DateTime Never = DateTime.MinValue;

    private static DateTime At(int minute) => TimerHost.Start.AddSeconds(-30).AddMinutes(minute).UtcDateTime;

    [Fact]
    public async Task A_timer_function_runs_once_per_occurrence_as_the_clock_advances()
    {
        await using var host = await TimerHost.StartAsync([typeof(EveryMinute)]);

        var runs = new List<TimerRun>();
        for (var minute = 1; minute <= 5; minute++)
        {
            host.AdvanceTo(minute);
            runs.Add(await host.Probe.NextRunAsync());
        }

        Assert.Equal([At(1), At(2), At(3), At(4), At(5)], runs.Select(r => r.At.UtcDateTime));
        Assert.Equal([Never, At(1), At(2), At(3), At(4)], runs.Select(r => r.Timer.ScheduleStatus!.Last));
        Assert.Equal([At(1), At(2), At(3), At(4), At(5)], runs.Select(r => r.Timer.ScheduleStatus!.Next));
        Assert.All(runs, r => Assert.False(r.Timer.IsPastDue));
        Assert.Equal(5, runs.Select(r => r.Instance).Distinct().Count());
        Assert.Equal(5, host.Probe.Count);
    }

    [Fact]
    public async Task Nothing_runs_before_the_first_occurrence()
    {
        await using var host = await TimerHost.StartAsync([typeof(EveryMinute)]);

        host.Time.Advance(TimeSpan.FromSeconds(29));
        host.AdvanceTo(1);
        var first = await host.Probe.NextRunAsync();

        Assert.Equal((1, At(1)), (first.Number, first.At.UtcDateTime));
    }

    [Fact]
    public async Task A_run_on_startup_comes_first_and_the_schedule_follows()
    {
        await using var host = await TimerHost.StartAsync([typeof(HourlyOnStartup)]);

        var startup = await host.Probe.NextRunAsync();
        Assert.Equal(TimerHost.Start, startup.At);
        Assert.False(startup.Timer.IsPastDue);
        Assert.Equal((Never, At(60)), (startup.Timer.ScheduleStatus!.Last, startup.Timer.ScheduleStatus.Next));

        host.AdvanceTo(60);
        var scheduled = await host.Probe.NextRunAsync();
        Assert.Equal(At(60), scheduled.At.UtcDateTime);
        Assert.Equal((TimerHost.Start.UtcDateTime, At(60)), (scheduled.Timer.ScheduleStatus!.Last, scheduled.Timer.ScheduleStatus.Next));
    }

    [Fact]
    public async Task A_failing_function_keeps_its_schedule_and_holds_up_no_other_timer()
    {
        await using var host = await TimerHost.StartAsync([typeof(AlwaysFails), typeof(EveryMinute)]);

        for (var minute = 1; minute <= 2; minute++)
        {
            host.AdvanceTo(minute);
            var runs = new[] { await host.Probe.NextRunAsync(), await host.Probe.NextRunAsync() };
            Assert.Equal([nameof(AlwaysFails), nameof(EveryMinute)], runs.Select(r => r.Function).Order());
        }

        // The third occurrence runs too: the second failure was logged and the schedule went on.
        host.AdvanceTo(3);
        Assert.Equal(At(3), (await host.Probe.NextRunAsync()).At.UtcDateTime);
        Assert.False(host.Scheduler.ExecuteTask!.IsCompleted);

        var failure = host.Logs.GetSnapshot().First(r => r.Level == LogLevel.Error);
        Assert.Equal(nameof(AlwaysFails), failure.GetStructuredStateValue("FunctionName"));
        Assert.Equal("The refresh failed.", failure.Exception?.Message);
    }

    [Fact]
    public async Task Runs_of_one_function_never_overlap_and_a_run_that_ends_late_is_followed_by_one_past_due_run()
    {
        await using var host = await TimerHost.StartAsync([typeof(WaitsForGate)]);

        host.AdvanceTo(1);
        var first = await host.Probe.NextRunAsync();

        // Three occurrences pass while the first run is still going.
        host.AdvanceTo(4);
        host.Probe.Gate.Release();
        var catchUp = await host.Probe.NextRunAsync();
        Assert.Equal((At(1), false), (first.At.UtcDateTime, first.Timer.IsPastDue));
        Assert.Equal((At(4), true), (catchUp.At.UtcDateTime, catchUp.Timer.IsPastDue));
        Assert.Equal((At(1), At(2)), (catchUp.Timer.ScheduleStatus!.Last, catchUp.Timer.ScheduleStatus.Next));

        // Then the schedule is back on time.
        host.Probe.Gate.Release();
        host.AdvanceTo(5);
        var onTime = await host.Probe.NextRunAsync();
        Assert.Equal((At(5), false), (onTime.At.UtcDateTime, onTime.Timer.IsPastDue));
        host.Probe.Gate.Release();

        Assert.Equal(3, host.Probe.Count);
        Assert.Equal(1, host.Probe.MaxRunning);
    }

    [Fact]
    public async Task A_manual_run_waits_for_the_scheduled_run_in_progress_and_the_schedule_waits_for_it()
    {
        await using var host = await TimerHost.StartAsync([typeof(WaitsForGate)]);
        host.AdvanceTo(1);
        var scheduled = await host.Probe.NextRunAsync();

        var manual = host.Runner.RunAsync(nameof(WaitsForGate));
        host.AdvanceTo(2);
        host.Probe.Gate.Release();
        var second = await host.Probe.NextRunAsync();
        host.Probe.Gate.Release();
        var third = await host.Probe.NextRunAsync();

        // The manual run asked first, so it ran second and is done; the 12:02 occurrence runs after it, not beside it.
        await manual.WaitAsync(TimerProbe.Patience);
        host.Probe.Gate.Release();
        Assert.Equal(At(1), scheduled.At.UtcDateTime);
        Assert.Equal((At(1), At(2)), (second.Timer.ScheduleStatus!.Last, second.Timer.ScheduleStatus.Next));
        Assert.Equal((At(1), At(2)), (third.Timer.ScheduleStatus!.Last, third.Timer.ScheduleStatus.Next));
        Assert.Equal(3, host.Probe.Count);
        Assert.Equal(1, host.Probe.MaxRunning);
    }

    [Fact]
    public async Task Disabled_timers_run_neither_on_schedule_nor_on_startup_but_still_by_hand()
    {
        await using var host = await TimerHost.StartAsync([typeof(HourlyOnStartup), typeof(EveryMinute)], "--DevHost:DisableTimers=true");

        // With timers off the scheduler has nothing to wait for: it ends, and no run can be pending.
        await host.Scheduler.ExecuteTask!.WaitAsync(TimerProbe.Patience);
        host.Time.Advance(TimeSpan.FromHours(3));
        Assert.Equal(0, host.Probe.Count);

        await host.Runner.RunAsync(nameof(EveryMinute));
        var run = await host.Probe.NextRunAsync();
        Assert.Equal((nameof(EveryMinute), 1), (run.Function, host.Probe.Count));
    }

    [Fact]
    public async Task Runs_are_logged_with_the_function_name_as_a_field()
    {
        await using var host = await TimerHost.StartAsync([typeof(EveryMinute)]);
        host.AdvanceTo(1);
        await host.Probe.NextRunAsync();
        await host.Runner.RunAsync(nameof(EveryMinute));

        var records = host.Logs.GetSnapshot().Where(r => r.Category == typeof(Pki.Local.Timers.TimerFunctionRunner).FullName).ToArray();
        Assert.Equal(["Executing", "Executed", "Executing", "Executed"], records.Select(r => r.Message.Split(' ')[0]));
        Assert.All(records, r => Assert.Equal(nameof(EveryMinute), r.GetStructuredStateValue("FunctionName")));
        Assert.Equal(["Schedule", "Manual"], records.Select(r => r.GetStructuredStateValue("Trigger")).OfType<string>());
    }
}
