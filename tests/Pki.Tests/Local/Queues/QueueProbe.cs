using System.Threading.Channels;

namespace Pki.Tests.Local.Queues;

/// <summary>What the test queue functions did, shared with the test through DI: each run as it starts.</summary>
public sealed class QueueProbe
{
    /// <summary>Generous: a test waits this long for something that takes well under a second.</summary>
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private readonly Channel<QueueRun> _started = Channel.CreateUnbounded<QueueRun>();
    private int _count;

    /// <summary>Functions that hold their message wait for one release per run.</summary>
    public SemaphoreSlim Gate { get; } = new(0);

    public int Count => Volatile.Read(ref _count);

    public void Started(QueueRun run)
    {
        Interlocked.Increment(ref _count);
        _started.Writer.TryWrite(run);
    }

    /// <summary>The next run to start, in the order they started; fails the test after <see cref="Patience"/>.</summary>
    public async Task<QueueRun> NextRunAsync() => await _started.Reader.ReadAsync().AsTask().WaitAsync(Patience);
}
