using Microsoft.Azure.Functions.Worker;

namespace Pki.Tests.Local.Queues;

/// <summary>Takes each message of "work" as a string and succeeds.</summary>
public sealed class Echo(QueueProbe probe)
{
    [Function(nameof(Echo))]
    public Task Run([QueueTrigger("work", Connection = "PkiStorage")] string message, long dequeueCount, string id, CancellationToken cancellationToken)
    {
        probe.Started(new QueueRun(nameof(Echo), message, dequeueCount, id, cancellationToken, this));
        return Task.CompletedTask;
    }
}
