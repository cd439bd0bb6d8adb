using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using Pki.Core.Renewal;
using Pki.Core.Storage;

namespace Pki.Functions;

/// <summary>
/// A pipeline's renewal request. A policy refusal is final (audited and logged once, the message completes); a malformed
/// message or a transient failure is left to the queue's retries, then renewal-requests-poison.
/// </summary>
public sealed class RequestRenewal(RenewalRequestService requests, ILogger<RequestRenewal> logger)
{
    [Function(nameof(RequestRenewal))]
    public async Task Run(
        [QueueTrigger(QueueNames.RenewalRequests, Connection = QueueNames.Connection)] RenewalRequest request,
        long dequeueCount,
        CancellationToken cancellationToken)
    {
        try
        {
            await requests.HandleAsync(request, cancellationToken);
        }
        catch (Exception e) when (dequeueCount >= QueueNames.MaxDequeueCount && e is not OperationCanceledException)
        {
            logger.LogError(e, "Renewal request {RequestId} failed {DequeueCount} times; the message moves to the poison queue", request?.RequestId, dequeueCount);
            throw;
        }
    }
}
