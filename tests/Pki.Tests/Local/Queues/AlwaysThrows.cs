using Microsoft.Azure.Functions.Worker;

namespace Pki.Tests.Local.Queues;

/// <summary>Fails on every message of "doomed", synchronously (a void function).</summary>
public sealed class AlwaysThrows(QueueProbe probe)
{
    [Function(nameof(AlwaysThrows))]
    public void Run([QueueTrigger("doomed", Connection = "PkiStorage")] string message, long dequeueCount, string id)
    {
        probe.Started(new QueueRun(nameof(AlwaysThrows), message, dequeueCount, id, CancellationToken.None, this));
        throw new InvalidOperationException("The scan failed.");
    }
}
