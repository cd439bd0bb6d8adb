using Microsoft.Azure.Functions.Worker;

namespace Pki.Tests.Local.Queues;

/// <summary>Holds each message of "cancellable" until its token is cancelled (or the gate released), then gives up.</summary>
public sealed class HoldsUntilCancelled(QueueProbe probe)
{
    [Function(nameof(HoldsUntilCancelled))]
    public async Task Run([QueueTrigger("cancellable", Connection = "PkiStorage")] string message, long dequeueCount, string id, CancellationToken cancellationToken)
    {
        probe.Started(new QueueRun(nameof(HoldsUntilCancelled), message, dequeueCount, id, cancellationToken, this));
        await probe.Gate.WaitAsync(cancellationToken);
    }
}
