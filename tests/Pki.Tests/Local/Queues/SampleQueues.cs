using Microsoft.Azure.Functions.Worker;

namespace Pki.Tests.Local.Queues;

/// <summary>Queue functions in two shapes the dev host accepts; they do nothing.</summary>
public sealed class SampleQueues
{
    [Function("ScanBatch")]
    public Task Run([QueueTrigger("discovery-batches", Connection = "PkiStorage")] string message, long dequeueCount, CancellationToken cancellationToken) => Task.CompletedTask;

    [Function("RawItems")]
    public void Run2([QueueTrigger("Raw-Items")] byte[] message)
    {
    }
}
