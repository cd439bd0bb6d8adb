using System.Runtime.CompilerServices;

namespace Pki.Local.Clock;

/// <summary>
/// The dev host's clock: the system clock plus an offset that only grows, so that a person or a test can move time
/// forward and watch certificates fall due for renewal and cross their notice thresholds without waiting weeks. Every
/// service of the host reads it as its <see cref="TimeProvider"/>. Timers made from it (the timer scheduler's waits,
/// <c>Task.Delay</c> and timeouts given this clock) see a move: one whose due moment the move passed fires at once,
/// the others wait what is left. Timestamps stay the system's, so a move never counts as time spent running.
/// Only the dev host registers it; the Functions host keeps <see cref="TimeProvider.System"/>.
/// </summary>
public sealed class DevClock : TimeProvider
{
    private readonly TimeProvider _system;
    private readonly ConditionalWeakTable<MovableTimer, object?> _timers = new();
    private long _offsetTicks;

    public DevClock()
        : this(System)
    {
    }

    /// <param name="system">The clock that runs underneath (a fake one in tests).</param>
    public DevClock(TimeProvider system)
    {
        ArgumentNullException.ThrowIfNull(system);
        _system = system;
    }

    /// <summary>How far this clock is ahead of the system's.</summary>
    public TimeSpan Offset => TimeSpan.FromTicks(Interlocked.Read(ref _offsetTicks));

    public override TimeZoneInfo LocalTimeZone => _system.LocalTimeZone;

    public override long TimestampFrequency => _system.TimestampFrequency;

    public override DateTimeOffset GetUtcNow() => _system.GetUtcNow() + Offset;

    public override long GetTimestamp() => _system.GetTimestamp();

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        ArgumentNullException.ThrowIfNull(callback);
        var timer = new MovableTimer(this, callback, state);
        _timers.Add(timer, null);
        timer.Change(dueTime, period);
        return timer;
    }

    /// <summary>Moves the clock forward by <paramref name="by"/> and wakes every timer whose due moment it passed.</summary>
    /// <returns>The offset after the move.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="by"/> is negative: this clock never goes back.</exception>
    public TimeSpan Advance(TimeSpan by)
    {
        if (by < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(by), by, "The dev clock only moves forward.");
        }

        var offset = TimeSpan.FromTicks(Interlocked.Add(ref _offsetTicks, by.Ticks));
        Reschedule();
        return offset;
    }

    /// <summary>Moves the clock forward to <paramref name="offset"/> ahead of the system's; an offset it is already past changes nothing.</summary>
    /// <returns>The offset after the move.</returns>
    public TimeSpan AdvanceToOffset(TimeSpan offset)
    {
        var current = Interlocked.Read(ref _offsetTicks);
        while (offset.Ticks > current)
        {
            var seen = Interlocked.CompareExchange(ref _offsetTicks, offset.Ticks, current);
            if (seen == current)
            {
                Reschedule();
                return offset;
            }

            current = seen;
        }

        return TimeSpan.FromTicks(current);
    }

    private void Reschedule()
    {
        foreach (var (timer, _) in _timers)
        {
            timer.Reschedule();
        }
    }

    /// <summary>
    /// A timer due at a moment of the dev clock, run by a one-shot timer of the system clock set to the time left, and
    /// set again whenever the dev clock moves.
    /// </summary>
    private sealed class MovableTimer : ITimer
    {
        // System timers count whole milliseconds; a shorter wait would fire again at once.
        private static readonly TimeSpan ShortestWait = TimeSpan.FromMilliseconds(1);

        private readonly DevClock _clock;
        private readonly TimerCallback _callback;
        private readonly object? _state;
        private readonly ITimer _inner;
        private readonly Lock _gate = new();
        private DateTimeOffset? _due;
        private TimeSpan _period = Timeout.InfiniteTimeSpan;
        private bool _disposed;

        public MovableTimer(DevClock clock, TimerCallback callback, object? state)
        {
            _clock = clock;
            _callback = callback;
            _state = state;

            // The system keeps a scheduled timer alive, and through its state this one, which the clock holds only weakly.
            _inner = clock._system.CreateTimer(static self => ((MovableTimer)self!).Fire(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        }

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(dueTime, Timeout.InfiniteTimeSpan);
            ArgumentOutOfRangeException.ThrowIfLessThan(period, Timeout.InfiniteTimeSpan);
            lock (_gate)
            {
                if (_disposed)
                {
                    return false;
                }

                _period = period;
                _due = dueTime == Timeout.InfiniteTimeSpan ? null : _clock.GetUtcNow() + dueTime;
            }

            // Outside the lock: a system timer may call back on this thread (a fake one does), and the callback takes it.
            return _inner.Change(dueTime, Timeout.InfiniteTimeSpan);
        }

        /// <summary>Sets the system timer to the time left until the due moment, as the dev clock now reads.</summary>
        public void Reschedule()
        {
            DateTimeOffset? due;
            lock (_gate)
            {
                due = _disposed ? null : _due;
            }

            // A due moment changed meanwhile is no harm: Fire checks the moment before it calls back.
            if (due is { } moment)
            {
                _inner.Change(Left(moment), Timeout.InfiniteTimeSpan);
            }
        }

        public void Dispose()
        {
            lock (_gate)
            {
                _disposed = true;
                _due = null;
            }

            _inner.Dispose();
            _clock._timers.Remove(this);
        }

        public async ValueTask DisposeAsync()
        {
            lock (_gate)
            {
                _disposed = true;
                _due = null;
            }

            await _inner.DisposeAsync().ConfigureAwait(false);
            _clock._timers.Remove(this);
        }

        private TimeSpan Left(DateTimeOffset due)
        {
            var left = due - _clock.GetUtcNow();
            return left > TimeSpan.Zero ? left : TimeSpan.Zero;
        }

        private void Fire()
        {
            TimeSpan? setAgain;
            var due = false;
            lock (_gate)
            {
                if (_disposed || _due is not { } moment)
                {
                    return;
                }

                // A system timer set before a move can fire after it was set again, and the two clocks may round apart.
                var left = moment - _clock.GetUtcNow();
                if (left > TimeSpan.Zero)
                {
                    setAgain = left < ShortestWait ? ShortestWait : left;
                }
                else
                {
                    // A period of zero or Infinite means one shot, as for System.Threading.Timer.
                    due = true;
                    setAgain = _period > TimeSpan.Zero ? _period : null;
                    _due = setAgain is { } period ? _clock.GetUtcNow() + period : null;
                }
            }

            if (setAgain is { } wait)
            {
                _inner.Change(wait, Timeout.InfiniteTimeSpan);
            }

            if (due)
            {
                _callback(_state);
            }
        }
    }
}
