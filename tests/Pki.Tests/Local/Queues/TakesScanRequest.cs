using Microsoft.Azure.Functions.Worker;

namespace Pki.Tests.Local.Queues;

/// <summary>Takes each message of "scan-requests" as a <see cref="ScanRequest"/> read from JSON.</summary>
public sealed class TakesScanRequest(QueueProbe probe)
{
    [Function(nameof(TakesScanRequest))]
    public Task Run([QueueTrigger("scan-requests", Connection = "PkiStorage")] ScanRequest request, long dequeueCount, string id)
    {
        probe.Started(new QueueRun(nameof(TakesScanRequest), request, dequeueCount, id, CancellationToken.None, this));
        return Task.CompletedTask;
    }
}
