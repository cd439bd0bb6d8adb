using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Pki.Local.Queues;

namespace Pki.Tests.Local.Queues;

/// <summary>The dev host runs queue functions on Azurite with the Functions host's delivery, retry and poison semantics.</summary>
public sealed class QueueListenerTests
{
    [Fact]
    public async Task A_message_is_processed_once_and_deleted()
    {
        await using var host = await QueueHost.StartAsync([typeof(Echo)]);
        var queue = host.Queue("work");

        var sent = await queue.SendMessageAsync("hello");

        var run = await host.Probe.NextRunAsync();
        Assert.Equal((nameof(Echo), "hello", 1L, sent.Value.MessageId), (run.Function, run.Payload, run.DequeueCount, run.MessageId));
        await QueueHost.WaitUntilAsync(async () => await QueueHost.CountAsync(queue) == 0, "the message to be deleted");
        Assert.Equal(1, host.Probe.Count);
        Assert.Empty(await QueueHost.PeekAsync(host.Queue("work-poison")));
    }

    [Fact]
    public async Task Each_message_gets_an_instance_of_its_own_and_a_batch_runs_side_by_side()
    {
        await using var host = await QueueHost.StartAsync([typeof(Echo)]);
        var queue = host.Queue("work");

        var bodies = Enumerable.Range(1, 20).Select(i => $"message {i}").ToArray();
        foreach (var body in bodies)
        {
            await queue.SendMessageAsync(body);
        }

        var runs = new List<QueueRun>();
        for (var i = 0; i < bodies.Length; i++)
        {
            runs.Add(await host.Probe.NextRunAsync());
        }

        Assert.Equal(bodies.Order(), runs.Select(r => (string)r.Payload!).Order());
        Assert.Equal(bodies.Length, runs.Select(r => r.Instance).Distinct().Count());
        await QueueHost.WaitUntilAsync(async () => await QueueHost.CountAsync(queue) == 0, "every message to be deleted");
    }

    [Fact]
    public async Task A_function_that_always_fails_moves_the_message_to_the_poison_queue_after_five_tries()
    {
        await using var host = await QueueHost.StartAsync([typeof(AlwaysThrows)]);
        var queue = host.Queue("doomed");
        var poison = host.Queue("doomed-poison");
        var sent = await queue.SendMessageAsync("""{"target":"10.0.0.1"}""");

        await QueueHost.WaitUntilAsync(async () => (await QueueHost.PeekAsync(poison)).Length == 1, "the message in doomed-poison");

        var runs = new List<QueueRun>();
        for (var i = 0; i < 5; i++)
        {
            runs.Add(await host.Probe.NextRunAsync());
        }

        Assert.Equal([1L, 2L, 3L, 4L, 5L], runs.Select(r => r.DequeueCount));
        Assert.All(runs, r => Assert.Equal(sent.Value.MessageId, r.MessageId));
        Assert.Equal("""{"target":"10.0.0.1"}""", Assert.Single(await QueueHost.PeekAsync(poison)).Body.ToString());
        await QueueHost.WaitUntilAsync(async () => await QueueHost.CountAsync(queue) == 0, "the message to leave doomed");
        Assert.Equal(5, host.Probe.Count);

        var warning = Assert.Single(host.Logs.GetSnapshot(), IsPoisonWarning);
        Assert.Equal(nameof(AlwaysThrows), warning.GetStructuredStateValue("FunctionName"));
        Assert.Equal(queue.Name, warning.GetStructuredStateValue("QueueName"));
        Assert.Equal(sent.Value.MessageId, warning.GetStructuredStateValue("MessageId"));
        Assert.Equal("5", warning.GetStructuredStateValue("DequeueCount"));
        Assert.Equal(poison.Name, warning.GetStructuredStateValue("PoisonQueueName"));
        Assert.Equal("it failed maxDequeueCount times", warning.GetStructuredStateValue("Reason"));
        Assert.Contains(sent.Value.MessageId, warning.Message, StringComparison.Ordinal);

        var failures = host.Logs.GetSnapshot().Where(r => r.Level == LogLevel.Error).ToArray();
        Assert.Equal(5, failures.Length);
        Assert.All(failures, f => Assert.Equal("The scan failed.", f.Exception?.Message));
    }

    [Fact]
    public async Task The_poison_message_keeps_the_stored_text_of_the_original()
    {
        await using var host = await QueueHost.StartAsync([typeof(AlwaysThrows)], configure: o => o.MaxDequeueCount = 1);
        var raw = host.RawQueue("doomed");
        await host.Queue("doomed").SendMessageAsync("café ✓");
        var stored = Assert.Single(await QueueHost.PeekAsync(raw)).Body.ToString();

        await QueueHost.WaitUntilAsync(async () => (await QueueHost.PeekAsync(host.RawQueue("doomed-poison"))).Length == 1, "the message in doomed-poison");

        Assert.Equal(stored, Assert.Single(await QueueHost.PeekAsync(host.RawQueue("doomed-poison"))).Body.ToString());
        Assert.Equal("café ✓", Assert.Single(await QueueHost.PeekAsync(host.Queue("doomed-poison"))).Body.ToString());
        Assert.Equal(1, host.Probe.Count);
    }

    [Fact]
    public async Task A_message_that_fails_once_succeeds_on_its_second_delivery_with_dequeue_count_two()
    {
        await using var host = await QueueHost.StartAsync([typeof(FailsFirstTime)]);
        var queue = host.Queue("flaky");

        await queue.SendMessageAsync("scan 10.0.0.0/30");

        var first = await host.Probe.NextRunAsync();
        var second = await host.Probe.NextRunAsync();
        Assert.Equal((1L, 2L), (first.DequeueCount, second.DequeueCount));
        Assert.Equal(first.MessageId, second.MessageId);
        Assert.Equal("scan 10.0.0.0/30", second.Payload);
        await QueueHost.WaitUntilAsync(async () => await QueueHost.CountAsync(queue) == 0, "the message to be deleted");
        Assert.Equal(2, host.Probe.Count);
        Assert.Empty(await QueueHost.PeekAsync(host.Queue("flaky-poison")));
    }

    [Fact]
    public async Task A_failed_message_stays_invisible_for_the_visibility_timeout()
    {
        await using var host = await QueueHost.StartAsync([typeof(FailsFirstTime)], configure: o => o.VisibilityTimeout = TimeSpan.FromSeconds(2));
        await host.Queue("flaky").SendMessageAsync("later");

        await host.Probe.NextRunAsync();
        var sinceFailure = Stopwatch.StartNew(); // elapsed time, not the wall clock, which may be stepped meanwhile
        await host.Probe.NextRunAsync();
        var retryAfter = sinceFailure.Elapsed;

        // Counted from when the failure was recorded, a moment after the run started; with no timeout the retry comes within 200 ms.
        Assert.True(retryAfter >= TimeSpan.FromSeconds(1), $"The retry came {retryAfter.TotalSeconds:0.00} s after the failure.");
    }

    [Fact]
    public async Task A_json_message_binds_to_a_poco_with_web_defaults()
    {
        await using var host = await QueueHost.StartAsync([typeof(TakesScanRequest)]);

        await host.Queue("scan-requests").SendMessageAsync("""{"target":"10.0.0.1","Port":443,"names":["web.internal","api.internal"]}""");

        var request = Assert.IsType<ScanRequest>((await host.Probe.NextRunAsync()).Payload);
        Assert.Equal(("10.0.0.1", 443), (request.Target, request.Port));
        Assert.Equal(["web.internal", "api.internal"], request.Names);
        await QueueHost.WaitUntilAsync(async () => await QueueHost.CountAsync(host.Queue("scan-requests")) == 0, "the message to be deleted");
    }

    [Fact]
    public async Task A_message_that_is_not_json_for_the_poco_fails_every_try_and_ends_in_the_poison_queue()
    {
        await using var host = await QueueHost.StartAsync([typeof(TakesScanRequest)]);

        await host.Queue("scan-requests").SendMessageAsync("{not json");

        var poison = host.Queue("scan-requests-poison");
        await QueueHost.WaitUntilAsync(async () => (await QueueHost.PeekAsync(poison)).Length == 1, "the message in scan-requests-poison");
        Assert.Equal("{not json", Assert.Single(await QueueHost.PeekAsync(poison)).Body.ToString());
        Assert.Equal(0, host.Probe.Count);
        var failures = host.Logs.GetSnapshot().Where(r => r.Level == LogLevel.Error).ToArray();
        Assert.Equal(5, failures.Length);
        Assert.All(failures, f => Assert.Contains("Exception binding parameter 'request'", f.Exception?.Message, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_message_that_is_not_base64_goes_to_the_poison_queue_untried_as_the_host_does()
    {
        await using var host = await QueueHost.StartAsync([typeof(Echo)]);

        var sent = await host.RawQueue("work").SendMessageAsync("plain text, not base64!");

        var poison = host.RawQueue("work-poison");
        await QueueHost.WaitUntilAsync(async () => (await QueueHost.PeekAsync(poison)).Length == 1, "the message in work-poison");
        Assert.Equal("plain text, not base64!", Assert.Single(await QueueHost.PeekAsync(poison)).Body.ToString());
        await QueueHost.WaitUntilAsync(async () => await QueueHost.CountAsync(host.Queue("work")) == 0, "the message to leave work");
        Assert.Equal(0, host.Probe.Count);
        var warning = Assert.Single(host.Logs.GetSnapshot(), IsPoisonWarning);
        Assert.Equal((sent.Value.MessageId, poison.Name, "1"), (warning.GetStructuredStateValue("MessageId"), warning.GetStructuredStateValue("PoisonQueueName"), warning.GetStructuredStateValue("DequeueCount")));
        Assert.Contains("not Base64-encoded", warning.GetStructuredStateValue("Reason"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_message_encoding_none_the_stored_text_is_the_body()
    {
        await using var host = await QueueHost.StartAsync([typeof(Echo)], configure: o => o.MessageEncoding = Azure.Storage.Queues.QueueMessageEncoding.None);

        await host.RawQueue("work").SendMessageAsync("plain text");

        Assert.Equal("plain text", (await host.Probe.NextRunAsync()).Payload);
    }

    [Fact]
    public async Task A_message_delivered_more_often_than_max_dequeue_count_is_poisoned_without_a_run()
    {
        // Five deliveries that ended without settling the message, as when a function takes the host down with it.
        var prefix = QueueHost.NewPrefix();
        var queue = QueueHost.Client(prefix, "work", Azure.Storage.Queues.QueueMessageEncoding.Base64);
        await queue.CreateIfNotExistsAsync();
        await queue.SendMessageAsync("crashes the host");
        for (var i = 0; i < 5; i++)
        {
            var received = (await queue.ReceiveMessageAsync(TimeSpan.FromSeconds(30))).Value;
            await queue.UpdateMessageAsync(received.MessageId, received.PopReceipt, visibilityTimeout: TimeSpan.Zero);
        }

        await using var host = await QueueHost.StartAsync([typeof(Echo)], prefix);

        var poison = host.Queue("work-poison");
        await QueueHost.WaitUntilAsync(async () => (await QueueHost.PeekAsync(poison)).Length == 1, "the message in work-poison");
        Assert.Equal("crashes the host", Assert.Single(await QueueHost.PeekAsync(poison)).Body.ToString());
        Assert.Equal(0, host.Probe.Count);
        var warning = Assert.Single(host.Logs.GetSnapshot(), IsPoisonWarning);
        Assert.Equal("6", warning.GetStructuredStateValue("DequeueCount"));
        Assert.Equal("it was delivered more than maxDequeueCount times", warning.GetStructuredStateValue("Reason"));
    }

    [Fact]
    public async Task A_run_longer_than_the_visibility_it_was_received_with_is_not_delivered_twice()
    {
        await using var host = await QueueHost.StartAsync([typeof(HoldsMessage)], configure: o => o.ProcessingVisibilityTimeout = TimeSpan.FromSeconds(2));
        var queue = host.Queue("held");
        await queue.SendMessageAsync("long scan");
        await host.Probe.NextRunAsync();

        // Without renewal the message would be visible again, and received again, after two seconds.
        await Task.Delay(TimeSpan.FromSeconds(5));
        Assert.Empty(await QueueHost.PeekAsync(queue));
        Assert.Equal(1, host.Probe.Count);

        host.Probe.Gate.Release();
        await QueueHost.WaitUntilAsync(async () => await QueueHost.CountAsync(queue) == 0, "the message to be deleted");
        Assert.Equal(1, host.Probe.Count);
    }

    // A warning of the listener that moved a message; a storage hiccup's warning (the poll is retried) is not one.
    private static bool IsPoisonWarning(FakeLogRecord record) =>
        record.Level == LogLevel.Warning && record.Category == typeof(QueueListener).FullName && record.GetStructuredStateValue("PoisonQueueName") is not null;
}
