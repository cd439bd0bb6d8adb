using Microsoft.Extensions.Time.Testing;
using Pki.Local.Clock;

namespace Pki.Tests.Local.Clock;

/// <summary>The dev host's clock: the system's time plus an offset that only grows, with timers that see a move.</summary>
public sealed class DevClockTests
{
    private static readonly DateTimeOffset Start = new(2026, 12, 1, 8, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    private readonly FakeTimeProvider _system = new(Start);

    [Fact]
    public void It_reads_the_system_clock_until_moved_and_the_system_clock_plus_the_offset_after()
    {
        var clock = new DevClock(_system);
        Assert.Equal(Start, clock.GetUtcNow());

        Assert.Equal(TimeSpan.FromDays(30), clock.Advance(TimeSpan.FromDays(30)));
        _system.Advance(TimeSpan.FromMinutes(1));

        Assert.Equal(Start.AddDays(30).AddMinutes(1), clock.GetUtcNow());
        Assert.Equal(TimeSpan.FromDays(30), clock.Offset);
    }

    [Fact]
    public async Task A_move_fires_the_delays_it_passed_and_leaves_a_later_one_waiting_for_what_is_left()
    {
        var clock = new DevClock(_system);
        var hour = Task.Delay(TimeSpan.FromHours(1), clock);
        var week = Task.Delay(TimeSpan.FromDays(7), clock);

        clock.Advance(TimeSpan.FromDays(2));

        await hour.WaitAsync(Patience);
        Assert.False(week.IsCompleted);

        // Five days are left, in the system's time as much as in the clock's.
        _system.Advance(TimeSpan.FromDays(5) - TimeSpan.FromSeconds(1));
        Assert.False(week.IsCompleted);
        _system.Advance(TimeSpan.FromSeconds(1));
        await week.WaitAsync(Patience);
    }

    [Fact]
    public async Task A_timeout_given_the_clock_expires_when_a_move_passes_it()
    {
        var clock = new DevClock(_system);
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(10), clock);

        clock.Advance(TimeSpan.FromMinutes(11));

        await Task.Delay(Timeout.Infinite, timeout.Token).ContinueWith(_ => { }, TaskScheduler.Default).WaitAsync(Patience);
        Assert.True(timeout.IsCancellationRequested);
    }

    [Fact]
    public async Task A_periodic_timer_fires_once_for_a_move_over_many_periods_and_keeps_its_period()
    {
        var clock = new DevClock(_system);
        var ticks = 0;
        using var timer = clock.CreateTimer(_ => Interlocked.Increment(ref ticks), null, TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1));

        clock.Advance(TimeSpan.FromHours(1));
        await WaitUntilAsync(() => Volatile.Read(ref ticks) == 1);
        _system.Advance(TimeSpan.FromMinutes(1));

        Assert.Equal(2, Volatile.Read(ref ticks));
    }

    [Fact]
    public void A_disposed_timer_does_not_fire_when_the_clock_moves()
    {
        var clock = new DevClock(_system);
        var fired = false;
        var timer = clock.CreateTimer(_ => fired = true, null, TimeSpan.FromMinutes(1), Timeout.InfiniteTimeSpan);
        timer.Dispose();

        clock.Advance(TimeSpan.FromDays(1));
        _system.Advance(TimeSpan.FromDays(1));

        Assert.False(fired);
        Assert.False(timer.Change(TimeSpan.Zero, Timeout.InfiniteTimeSpan));
    }

    [Fact]
    public void It_never_goes_back_and_moving_to_an_offset_it_passed_changes_nothing()
    {
        var clock = new DevClock(_system);
        clock.Advance(TimeSpan.FromDays(3));

        var thrown = Assert.Throws<ArgumentOutOfRangeException>(() => clock.Advance(TimeSpan.FromSeconds(-1)));
        Assert.Equal("by", thrown.ParamName);
        Assert.Contains("only moves forward", thrown.Message, StringComparison.Ordinal);
        Assert.Equal(TimeSpan.FromDays(3), clock.AdvanceToOffset(TimeSpan.FromDays(1)));
        Assert.Equal(TimeSpan.FromDays(4), clock.AdvanceToOffset(TimeSpan.FromDays(4)));
    }

    [Fact]
    public void Timestamps_measure_time_spent_running_and_do_not_jump_with_a_move()
    {
        var clock = new DevClock(_system);
        var before = clock.GetTimestamp();

        clock.Advance(TimeSpan.FromDays(30));
        _system.Advance(TimeSpan.FromMilliseconds(250));

        Assert.Equal(TimeSpan.FromMilliseconds(250), clock.GetElapsedTime(before));
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "the condition did not hold in time");
            await Task.Delay(10);
        }
    }
}
