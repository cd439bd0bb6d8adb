using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using Pki.Core.Acme;
using Pki.Core.Storage;

namespace Pki.Functions.Acme;

/// <summary>One ACME challenge validation attempt per message (retries with backoff are messages of their own).</summary>
public sealed class ValidateAcmeChallenge(AcmeValidationService validations, ILogger<ValidateAcmeChallenge> logger)
{
    [Function(nameof(ValidateAcmeChallenge))]
    public async Task Run(
        [QueueTrigger(AcmeQueueNames.Validations, Connection = QueueNames.Connection)] AcmeValidationMessage message,
        long dequeueCount,
        CancellationToken cancellationToken)
    {
        try
        {
            await validations.ValidateAsync(message, cancellationToken);
        }
        catch (Exception e) when (dequeueCount >= QueueNames.MaxDequeueCount && e is not OperationCanceledException)
        {
            logger.LogError(e, "Validation of authorization {AuthorizationId} failed {DequeueCount} times; the message moves to the poison queue", message?.AuthorizationId, dequeueCount);
            throw;
        }
    }
}
