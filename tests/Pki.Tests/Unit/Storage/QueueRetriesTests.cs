using Pki.Core.Storage;

namespace Pki.Tests.Unit.Storage;

public sealed class QueueRetriesTests
{
    [Fact]
    public void The_last_try_the_handlers_know_of_is_the_one_host_json_allows()
    {
        var hostJson = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(Pki.Tests.Infrastructure.RepoPaths.Root, "host.json")))!;
        Assert.Equal(QueueRetries.MaxDequeueCount, hostJson["extensions"]!["queues"]!["maxDequeueCount"]!.GetValue<int>());
    }

    [Fact]
    public void Only_a_failure_on_the_last_try_moves_the_message_to_poison()
    {
        var failure = new InvalidOperationException("storage down");

        Assert.False(QueueRetries.MovesToPoison(1, failure));
        Assert.False(QueueRetries.MovesToPoison(QueueRetries.MaxDequeueCount - 1, failure));
        Assert.True(QueueRetries.MovesToPoison(QueueRetries.MaxDequeueCount, failure));
        Assert.True(QueueRetries.IsLastTry(QueueRetries.MaxDequeueCount));
        Assert.False(QueueRetries.IsLastTry(QueueRetries.MaxDequeueCount - 1));
    }

    [Fact]
    public void A_cancelled_handler_leaves_its_message_for_another_try_even_on_the_last_one()
    {
        Assert.False(QueueRetries.MovesToPoison(QueueRetries.MaxDequeueCount, new OperationCanceledException()));
        Assert.False(QueueRetries.MovesToPoison(QueueRetries.MaxDequeueCount, new TaskCanceledException()));
    }
}
