using Microsoft.Azure.Functions.Worker;

namespace Pki.Tests.Local.Queues;

/// <summary>Holds each message of "held" until the test releases the probe's gate once, whatever its token says.</summary>
public sealed class HoldsMessage(QueueProbe probe)
{
    [Function(nameof(HoldsMessage))]
    public async Task Run([QueueTrigger("held", Connection = "PkiStorage")] string message, long dequeueCount, string id, CancellationToken cancellationToken)
    {
        probe.Started(new QueueRun(nameof(HoldsMessage), message, dequeueCount, id, cancellationToken, this));
        await probe.Gate.WaitAsync(CancellationToken.None);
    }
}
