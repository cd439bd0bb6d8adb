using Microsoft.Azure.Functions.Worker;

namespace Pki.Tests.Local.Queues;

/// <summary>Fails the first delivery of each message of "flaky" and succeeds on the next.</summary>
public sealed class FailsFirstTime(QueueProbe probe)
{
    [Function(nameof(FailsFirstTime))]
    public async Task Run([QueueTrigger("flaky", Connection = "PkiStorage")] string message, int dequeueCount, string id)
    {
        probe.Started(new QueueRun(nameof(FailsFirstTime), message, dequeueCount, id, CancellationToken.None, this));
        await Task.Yield();
        if (dequeueCount == 1)
        {
            throw new TimeoutException("The endpoint did not answer.");
        }
    }
}
