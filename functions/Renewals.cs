using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using Pki.Core.Renewal;
using Pki.Core.Storage;

namespace Pki.Functions;

/// <summary>
/// One renewal per message (put there by FanOutRenewals, or by a planner from before batches); a failure leaves the
/// message to the queue's retries, then renewals-poison.
/// </summary>
public sealed class RenewCertificate(RenewalService renewals, ILogger<RenewCertificate> logger)
{
    [Function(nameof(RenewCertificate))]
    public async Task Run(
        [QueueTrigger(QueueNames.Renewals, Connection = QueueNames.Connection)] RenewalMessage message,
        long dequeueCount,
        CancellationToken cancellationToken)
    {
        try
        {
            await renewals.RenewAsync(message, cancellationToken);
        }
        catch (Exception e) when (dequeueCount >= QueueNames.MaxDequeueCount && e is not OperationCanceledException)
        {
            logger.LogError(e, "Renewal of certificate {SerialNumber} failed {DequeueCount} times; the message moves to the poison queue", message?.SerialNumber, dequeueCount);
            throw;
        }
    }
}
