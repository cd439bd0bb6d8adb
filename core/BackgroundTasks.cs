namespace Pki.Core;

/// <summary>
/// Work started beside the requests and tracked, so that a stopping host can wait for it: at most a fixed number at
/// once, past which <see cref="TryStart"/> declines and the caller decides (do it now, or leave it to a queue).
/// </summary>
public sealed class BackgroundTasks(int capacity)
{
    private readonly Lock _gate = new();
    private readonly HashSet<Task> _running = [];
    private TaskCompletionSource? _idle;

    /// <summary>Tasks started and not yet finished.</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _running.Count;
            }
        }
    }

    /// <summary>Starts <paramref name="work"/> on the thread pool and returns its task; null when the capacity is taken.</summary>
    public Task? TryStart(Func<Task> work)
    {
        ArgumentNullException.ThrowIfNull(work);
        lock (_gate)
        {
            if (_running.Count >= capacity)
            {
                return null;
            }

            var task = Task.Run(work);
            _running.Add(task);
            _ = task.ContinueWith(Done, TaskScheduler.Default);
            return task;
        }
    }

    /// <summary>Completes when nothing started here is running.</summary>
    public Task WhenIdleAsync(CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            if (_running.Count == 0)
            {
                return Task.CompletedTask;
            }

            _idle ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return _idle.Task.WaitAsync(cancellationToken);
        }
    }

    private void Done(Task task)
    {
        lock (_gate)
        {
            _running.Remove(task);
            if (_running.Count == 0 && _idle is { } idle)
            {
                _idle = null;
                idle.SetResult();
            }
        }
    }
}
