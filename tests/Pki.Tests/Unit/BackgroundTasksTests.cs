using Pki.Core;

namespace Pki.Tests.Unit;

/// <summary>The tracker behind the issuance follow-ups and the ACME validation starter: bounded, and idle only when all ran.</summary>
public sealed class BackgroundTasksTests
{
    [Fact]
    public async Task Past_its_capacity_it_declines_and_idle_waits_for_every_started_task()
    {
        var tasks = new BackgroundTasks(2);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var ran = 0;
        Func<Task> work = async () =>
        {
            await release.Task;
            Interlocked.Increment(ref ran);
        };

        var first = tasks.TryStart(work);
        var second = tasks.TryStart(work);
        Assert.NotNull(first);
        Assert.NotNull(second);
        Assert.Null(tasks.TryStart(work)); // full: the caller does it another way
        Assert.Equal(2, tasks.Count);

        var idle = tasks.WhenIdleAsync();
        Assert.False(idle.IsCompleted);
        release.SetResult();
        await idle;
        Assert.Equal(2, ran);
        Assert.Equal(0, tasks.Count);

        // Room again once they finished, and idle at once when nothing runs.
        Assert.NotNull(tasks.TryStart(() => Task.CompletedTask));
        await tasks.WhenIdleAsync();
        Assert.True(tasks.WhenIdleAsync().IsCompleted);
    }

    [Fact]
    public async Task A_failing_task_still_frees_its_place()
    {
        var tasks = new BackgroundTasks(1);
        var failed = tasks.TryStart(() => throw new InvalidOperationException("boom"));
        await Assert.ThrowsAsync<InvalidOperationException>(() => failed!);
        await tasks.WhenIdleAsync();
        Assert.NotNull(tasks.TryStart(() => Task.CompletedTask));
    }
}
