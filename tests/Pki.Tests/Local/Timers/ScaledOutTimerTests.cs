using Azure.Storage.Blobs.Specialized;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Pki.Local;
using Pki.Local.Timers;

namespace Pki.Tests.Local.Timers;

/// <summary>
/// Dev hosts sharing one storage account and prefix run each timer occurrence once in total, as the Functions host's
/// singleton timer listener does across scaled-out instances; the timer's blob lease decides which host runs it.
/// </summary>
public sealed class ScaledOutTimerTests
{
    private static readonly DateTime Never = DateTime.MinValue;

    private readonly string _prefix = TimerHost.NewPrefix();
    private readonly FakeTimeProvider _time = new(TimerHost.Start);

    private static DateTime At(int minute) => TimerHost.Start.AddSeconds(-30).AddMinutes(minute).UtcDateTime;

    [Fact]
    public async Task Three_hosts_on_one_storage_account_run_each_occurrence_once_in_total()
    {
        await using var a = await StartAsync(typeof(EveryMinute));
        await using var b = await StartAsync(typeof(EveryMinute));
        await using var c = await StartAsync(typeof(EveryMinute));
        TimerHost[] hosts = [a, b, c];

        var runs = new List<TimerRun>();
        for (var minute = 1; minute <= 5; minute++)
        {
            var before = hosts.Select(h => h.Probe.Count).ToArray();
            a.AdvanceTo(minute);
            await TimerHost.WaitUntilAsync(() => hosts.All(h => h.NextDue(nameof(EveryMinute)) > At(minute)), $"every host to run or skip 12:{minute:D2}");

            Assert.Equal(minute, hosts.Sum(h => h.Probe.Count));
            var ran = Assert.Single(hosts, h => h.Probe.Count > before[Array.IndexOf(hosts, h)]);
            runs.Add(await ran.Probe.NextRunAsync());
        }

        // Whichever host ran an occurrence, it saw the schedule status the previous one left, as the host's status blob carries it.
        Assert.Equal([At(1), At(2), At(3), At(4), At(5)], runs.Select(r => r.At.UtcDateTime));
        Assert.Equal([Never, At(1), At(2), At(3), At(4)], runs.Select(r => r.Timer.ScheduleStatus!.Last));
        Assert.Equal([At(1), At(2), At(3), At(4), At(5)], runs.Select(r => r.Timer.ScheduleStatus!.Next));
        Assert.All(runs, r => Assert.False(r.Timer.IsPastDue));
    }

    [Fact]
    public async Task When_the_host_running_a_timer_stops_another_host_runs_the_occurrence_it_left_unfinished_next()
    {
        await using var a = await StartAsync(typeof(WaitsForGate));
        await using var b = await StartAsync(typeof(WaitsForGate));
        var (holder, other) = await FirstRunAsync(a, b);

        // Stopping cancels the run and releases the lease; a cancelled run records nothing, so 12:01 stays due.
        var stopped = holder.Probe;
        await holder.DisposeAsync();
        other.AdvanceTo(2);
        var takeover = await other.Probe.NextRunAsync();
        other.Probe.Gate.Release();

        Assert.Equal((At(2), true), (takeover.At.UtcDateTime, takeover.Timer.IsPastDue));
        Assert.Equal((Never, At(1)), (takeover.Timer.ScheduleStatus!.Last, takeover.Timer.ScheduleStatus.Next));
        await TimerHost.WaitUntilAsync(() => other.NextDue(nameof(WaitsForGate)) == At(3), "the run at 12:02 to end");
        Assert.Equal((1, 1), (stopped.Count, other.Probe.Count));
    }

    [Fact]
    public async Task When_the_lease_of_a_hung_holder_runs_out_another_host_takes_over_and_the_old_holder_cannot_overwrite_the_status()
    {
        await using var a = await StartAsync(typeof(WaitsForGate));
        await using var b = await StartAsync(typeof(WaitsForGate));
        var (holder, other) = await FirstRunAsync(a, b);

        // The holder hangs past its lease (a frozen or cut-off host): breaking the lease frees it as running out does.
        await TimerHost.StatusBlob(_prefix, nameof(WaitsForGate)).GetBlobLeaseClient().BreakAsync(TimeSpan.Zero);
        other.AdvanceTo(2);
        var takeover = await other.Probe.NextRunAsync();
        Assert.Equal((true, Never, At(1)), (takeover.Timer.IsPastDue, takeover.Timer.ScheduleStatus!.Last, takeover.Timer.ScheduleStatus.Next));

        // The old holder ends its 12:01 run without its lease: its status is refused, and it leaves 12:02 to the other host.
        holder.Probe.Gate.Release();
        await TimerHost.WaitUntilAsync(() => holder.NextDue(nameof(WaitsForGate)) == At(3), "the old holder to end its run and skip 12:02");
        Assert.Contains(holder.Logs.GetSnapshot(), r => r.Level == LogLevel.Warning && r.Message.StartsWith("Recording the run of WaitsForGate", StringComparison.Ordinal));
        other.Probe.Gate.Release();
        await TimerHost.WaitUntilAsync(() => other.NextDue(nameof(WaitsForGate)) == At(3), "the run at 12:02 to end");

        var status = (await TimerHost.StatusBlob(_prefix, nameof(WaitsForGate)).DownloadContentAsync()).Value.Content.ToObjectFromJson<TimerScheduleStatus>()!;
        Assert.Equal((At(2), At(3)), (status.Last.UtcDateTime, status.Next.UtcDateTime));

        // Back to one run per occurrence, on the status the host that took over wrote.
        a.AdvanceTo(3);
        await TimerHost.WaitUntilAsync(() => a.Probe.Count + b.Probe.Count == 3, "one host to start 12:03");
        var ranThird = holder.Probe.Count == 2 ? holder : other;
        var third = await ranThird.Probe.NextRunAsync();
        ranThird.Probe.Gate.Release();
        await TimerHost.WaitUntilAsync(() => a.NextDue(nameof(WaitsForGate)) == At(4) && b.NextDue(nameof(WaitsForGate)) == At(4), "both hosts to be done with 12:03");
        Assert.Equal((false, At(2), At(3)), (third.Timer.IsPastDue, third.Timer.ScheduleStatus!.Last, third.Timer.ScheduleStatus.Next));
        Assert.Equal(3, a.Probe.Count + b.Probe.Count);
    }

    [Fact]
    public async Task A_host_with_schedules_and_no_storage_account_does_not_start_and_names_the_setting()
    {
        await using var app = DevHost.Build(["--urls=http://127.0.0.1:0"], FunctionCatalog.Discover([typeof(AlwaysFails)]), builder =>
            builder.Services.AddSingleton<TimerProbe>());

        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => app.StartAsync());

        Assert.Contains("Pki:Storage:ConnectionString", refused.Message, StringComparison.Ordinal);
        Assert.Contains("DevHost:DisableTimers=true", refused.Message, StringComparison.Ordinal);
    }

    private Task<TimerHost> StartAsync(Type function) => TimerHost.StartScaledOutAsync([function], _prefix, _time);

    /// <summary>Moves both hosts to 12:01: one runs it (and stays running, on the gate), the other finds the lease taken and skips.</summary>
    private static async Task<(TimerHost Holder, TimerHost Other)> FirstRunAsync(TimerHost a, TimerHost b)
    {
        a.AdvanceTo(1);
        await TimerHost.WaitUntilAsync(() => a.Probe.Count + b.Probe.Count == 1, "one host to start 12:01");
        var (holder, other) = a.Probe.Count == 1 ? (a, b) : (b, a);
        var first = await holder.Probe.NextRunAsync();
        Assert.Equal((At(1), false), (first.At.UtcDateTime, first.Timer.IsPastDue));
        await TimerHost.WaitUntilAsync(() => other.NextDue(nameof(WaitsForGate)) == At(2), "the other host to skip 12:01");
        Assert.Equal(0, other.Probe.Count);
        return (holder, other);
    }
}
