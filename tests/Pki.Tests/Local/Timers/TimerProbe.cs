using System.Threading.Channels;
using Microsoft.Azure.Functions.Worker;

namespace Pki.Tests.Local.Timers;

/// <summary>What the test timer functions did, shared with the test through DI: each run as it starts, and how many ran at once.</summary>
public sealed class TimerProbe(TimeProvider time)
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    private readonly Channel<TimerRun> _started = Channel.CreateUnbounded<TimerRun>();
    private int _running;
    private int _maxRunning;
    private int _count;

    /// <summary>Blocking functions wait for one release per run.</summary>
    public SemaphoreSlim Gate { get; } = new(0);

    public int Count => Volatile.Read(ref _count);

    public int MaxRunning => Volatile.Read(ref _maxRunning);

    public int Started(string function, TimerInfo timer, object instance)
    {
        var running = Interlocked.Increment(ref _running);
        for (var max = _maxRunning; running > max; max = _maxRunning)
        {
            Interlocked.CompareExchange(ref _maxRunning, running, max);
        }

        var number = Interlocked.Increment(ref _count);
        _started.Writer.TryWrite(new TimerRun(function, timer, time.GetUtcNow(), instance, number));
        return number;
    }

    public void Finished() => Interlocked.Decrement(ref _running);

    /// <summary>The next run to start, in the order they started; fails the test after <see cref="Patience"/>.</summary>
    public async Task<TimerRun> NextRunAsync() => await _started.Reader.ReadAsync().AsTask().WaitAsync(Patience);
}
