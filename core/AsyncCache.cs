using System.Collections.Concurrent;

namespace Pki.Core;

public static class AsyncCache
{
    /// <summary>
    /// Runs the factory once per key and shares its task, but forgets a task that failed (or a factory
    /// that threw before returning one), so one storage or HSM error at start-up is retried by the
    /// next caller instead of cached for good.
    /// </summary>
    public static Task<T> GetOrAddRetryingFaults<T>(this ConcurrentDictionary<string, Lazy<Task<T>>> cache, string key, Func<string, Task<T>> factory)
    {
        var lazy = cache.GetOrAdd(key, k => new Lazy<Task<T>>(() => Start(factory, k)));
        var task = lazy.Value;
        if (task.IsFaulted || task.IsCanceled)
        {
            cache.TryRemove(KeyValuePair.Create(key, lazy));
            return task;
        }

        if (!task.IsCompleted)
        {
            task.ContinueWith(
                t => cache.TryRemove(KeyValuePair.Create(key, lazy)),
                CancellationToken.None,
                TaskContinuationOptions.NotOnRanToCompletion | TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Default);
        }

        return task;
    }

    private static Task<T> Start<T>(Func<string, Task<T>> factory, string key)
    {
        try
        {
            return factory(key);
        }
        catch (Exception e)
        {
            return Task.FromException<T>(e);
        }
    }
}
