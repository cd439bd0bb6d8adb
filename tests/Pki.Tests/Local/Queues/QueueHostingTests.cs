using Microsoft.Extensions.Logging;
using Pki.Tests.Infrastructure;

namespace Pki.Tests.Local.Queues;

/// <summary>How the dev host starts, configures and stops its queue listeners.</summary>
public sealed class QueueHostingTests
{
    [Fact]
    public async Task The_host_creates_each_queue_under_its_prefix_before_it_starts()
    {
        await using var host = await QueueHost.StartAsync([typeof(Echo), typeof(AlwaysThrows)]);

        Assert.Equal(
            [host.Prefix + "doomed", host.Prefix + "work"],
            host.Listeners.Select(l => l.QueueName).Order());
        Assert.Equal([host.Prefix + "doomed-poison", host.Prefix + "work-poison"], host.Listeners.Select(l => l.PoisonQueueName).Order());
        Assert.True((await host.Queue("work").ExistsAsync()).Value);
        Assert.True((await host.Queue("doomed").ExistsAsync()).Value);
    }

    [Fact]
    public async Task Without_the_pki_setting_the_listener_reads_the_triggers_connection_setting()
    {
        await using var host = await QueueHost.StartAsync([typeof(Echo)], withConnection: false, args: ["--PkiStorage=" + TestEnvironment.StorageConnectionString]);

        await host.Queue("work").SendMessageAsync("over PkiStorage");

        Assert.Equal("over PkiStorage", (await host.Probe.NextRunAsync()).Payload);
    }

    [Fact]
    public async Task Without_a_storage_connection_the_host_does_not_start_and_names_the_settings()
    {
        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => QueueHost.StartAsync([typeof(Echo)], withConnection: false));

        Assert.Contains("Queue function Echo needs a storage connection", refused.Message, StringComparison.Ordinal);
        Assert.Contains("Pki:Storage:ConnectionString", refused.Message, StringComparison.Ordinal);
        Assert.Contains("PkiStorage", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Listener_options_the_host_would_refuse_stop_the_start()
    {
        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => QueueHost.StartAsync([typeof(Echo)], configure: o => o.BatchSize = 64));

        Assert.Contains("host.json extensions.queues: batchSize must be 1 to 32; got 64.", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Disabled_queues_start_no_listener_and_touch_no_queue()
    {
        await using var host = await QueueHost.StartAsync([typeof(Echo)], args: ["--DevHost:DisableQueues=true"]);

        Assert.Empty(host.Listeners);
        Assert.False((await host.Queue("work").ExistsAsync()).Value);
        var notice = Assert.Single(host.Logs.GetSnapshot(), r => r.Message.StartsWith("Queue listeners are off", StringComparison.Ordinal));
        Assert.Equal("DevHost:DisableQueues", notice.GetStructuredStateValue("Setting"));
    }

    [Fact]
    public async Task Stopping_waits_for_a_running_invocation_then_deletes_its_message()
    {
        var host = await QueueHost.StartAsync([typeof(HoldsMessage)]);
        await using (host)
        {
            var queue = host.Queue("held");
            await queue.SendMessageAsync("finish me");
            var run = await host.Probe.NextRunAsync();

            var stopping = host.StopAsync();
            await QueueHost.WaitUntilAsync(() => Task.FromResult(run.Token.IsCancellationRequested), "the invocation's token to be cancelled");
            Assert.False(stopping.IsCompleted);

            host.Probe.Gate.Release();
            await stopping.WaitAsync(QueueProbe.Patience);
            Assert.Equal(0, await QueueHost.CountAsync(queue));
            Assert.Equal(1, host.Probe.Count);
        }
    }

    [Fact]
    public async Task A_run_cancelled_by_the_host_stopping_fails_and_its_message_comes_back()
    {
        var host = await QueueHost.StartAsync([typeof(HoldsUntilCancelled)]);
        await using (host)
        {
            var queue = host.Queue("cancellable");
            await queue.SendMessageAsync("interrupted");
            await host.Probe.NextRunAsync();

            await host.StopAsync().WaitAsync(QueueProbe.Patience);

            var back = Assert.Single(await QueueHost.PeekAsync(queue));
            Assert.Equal(("interrupted", 1L), (back.Body.ToString(), back.DequeueCount));
            Assert.Contains(host.Logs.GetSnapshot(), r => r.Level == LogLevel.Warning && r.Message.StartsWith("Cancelled HoldsUntilCancelled", StringComparison.Ordinal));
        }
    }
}
